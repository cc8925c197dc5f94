#!/usr/bin/env python3
"""Fails the build when a stage includes a header of a stage it does not
declare: usage layers.py STAMP DEPFILE FOLDER [MAY_INCLUDE ...] (folders
relative to the source root; a folder may always include its own headers).
The depfile names every file read, so a changed header runs it again."""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def main():
    stamp, depfile, folder = sys.argv[1:4]
    allowed = [folder_of(a) for a in sys.argv[4:]]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    allowed.append(folder)
    bad, read = [], []
    base = os.path.join(root, folder)
    for name in sorted(os.listdir(base)):
        if not name.endswith(('.c', '.h')):
            continue
        path = os.path.join(base, name)
        read.append(path)
        text = open(path, encoding='utf-8').read()
        for inc in INCLUDE.findall(text):
            if '/' not in inc:
                bad.append(f'{folder}/{name}: "{inc}" (name headers from the source root)')
            elif folder_of(os.path.dirname(inc)) not in allowed:
                bad.append(f'{folder}/{name}: "{inc}"')
    if bad:
        print(f'layers: {folder} may include only {", ".join(sorted(set(allowed)))}:',
              file=sys.stderr)
        for b in bad:
            print('  ' + b, file=sys.stderr)
        sys.exit(1)
    with open(stamp, 'w') as f:
        f.write('ok\n')
    with open(depfile, 'w') as f:
        f.write(stamp + ': ' + ' '.join(p.replace(' ', '\\ ') for p in read) + '\n')


def folder_of(path):
    return path.strip('/')


if __name__ == '__main__':
    main()
