#!/usr/bin/env python3
"""Writes a C file defining sc_pins_text, the pins file's text: embed.py IN OUT."""
import sys

text = open(sys.argv[1], encoding='utf-8').read()
body = ''.join('    "' + line.replace('\\', '\\\\').replace('"', '\\"') + '\\n"\n'
               for line in text.splitlines())
with open(sys.argv[2], 'w', encoding='utf-8') as f:
    f.write('/* Generated from ' + sys.argv[1].rsplit('/', 1)[-1] + ' by embed.py. */\n')
    f.write('extern const char sc_pins_text[];\nconst char sc_pins_text[] =\n' + body + '    "";\n')
