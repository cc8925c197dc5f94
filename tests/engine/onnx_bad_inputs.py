"""stylecam import on damaged and unsupported ONNX files: each ends in one
sentence naming the file (and the node), exit 1, no crash, nothing written.
Then the command itself: default folder, no overwrite without --force,
--force replaces, the style works with --style."""
import os
import struct
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
except ImportError as e:   # scripts/deps.sh --test installs them
    print(f'SKIP: {e}')
    sys.exit(77)

BIN = os.environ['STYLECAM_BIN']
FAILS = []


def model(nodes, inits, inputs=None, outputs=None, opset=13):
    inputs = inputs or [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 3, 'h', 'w'])]
    outputs = outputs or [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, 3, 'h', 'w'])]
    g = helper.make_graph(nodes, 'g', inputs, outputs, inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid('', opset)])


def conv_w(value=0.5):
    return numpy_helper.from_array(np.full((3, 3, 1, 1), value, np.float32), 'w')


def good():
    return model([helper.make_node('Conv', ['x', 'w'], ['y'], name='theconv')], [conv_w()])


def raw_tensor(name, dims):
    t = TensorProto()
    t.name = name
    t.data_type = TensorProto.FLOAT
    t.dims.extend(dims)
    return t


def save(m, path):
    with open(path, 'wb') as f:
        f.write(m.SerializeToString())


def run(*args, env=None):
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=env)


def expect_fail(tmp, name, data, needles):
    path = os.path.join(tmp, name + '.onnx')
    if isinstance(data, bytes):
        open(path, 'wb').write(data)
    else:
        save(data, path)
    models = os.path.join(tmp, 'models-' + name)
    r = run('import', '--models', models, path, 'style')
    msg = r.stderr.strip()
    ok = r.returncode == 1 and msg.count('\n') == 0 and msg.endswith('.') and path in msg
    ok &= all(n in msg for n in needles)
    ok &= not os.path.exists(models) or os.listdir(models) == []
    print(f'{name}: exit {r.returncode}: {msg}')
    if not ok:
        FAILS.append(name)


def bad_inputs(tmp):
    data = good().SerializeToString()
    expect_fail(tmp, 'truncated', data[:len(data) // 2], ['not an ONNX model'])
    expect_fail(tmp, 'not_protobuf', b'\xff\xff\xff\xff this is not a model', ['ONNX'])
    expect_fail(tmp, 'empty', b'', ['empty'])
    expect_fail(tmp, 'unsupported_op', model(
        [helper.make_node('Softmax', ['x'], ['y'], name='soft')], []), ['Softmax', 'soft'])
    t = numpy_helper.from_array(np.zeros((3, 3, 1, 1), np.float32), 'w')
    t.raw_data = t.raw_data[:20]
    expect_fail(tmp, 'size_mismatch', model(
        [helper.make_node('Conv', ['x', 'w'], ['y'], name='c')], [t]), ["'w'", 'declares 9'])
    ext = raw_tensor('w', [3, 3, 1, 1])
    ext.data_location = TensorProto.EXTERNAL
    ext.external_data.add(key='location', value='../../etc/passwd')
    expect_fail(tmp, 'external_outside', model(
        [helper.make_node('Conv', ['x', 'w'], ['y'], name='c')], [ext]), ['outside'])
    ext.external_data[0].value = 'weights.data'
    expect_fail(tmp, 'external_inside', model(
        [helper.make_node('Conv', ['x', 'w'], ['y'], name='c')], [ext]), ['external'])
    huge = raw_tensor('w', [1 << 40, 1 << 40, 1, 1])
    expect_fail(tmp, 'huge_dims', model(
        [helper.make_node('Conv', ['x', 'w'], ['y'], name='c')], [huge]), ['overflow'])
    w = np.full((3, 3, 1, 1), 0.5, np.float32)
    w[1, 2] = np.nan
    expect_fail(tmp, 'nan_weights', model(
        [helper.make_node('Conv', ['x', 'w'], ['y'], name='nanconv')],
        [numpy_helper.from_array(w, 'w')]), ['nanconv', 'NaN'])
    w[1, 2] = np.inf
    expect_fail(tmp, 'inf_weights', model(
        [helper.make_node('Conv', ['x', 'w'], ['y'], name='infconv')],
        [numpy_helper.from_array(w, 'w')]), ['infconv', 'infinite'])
    const = numpy_helper.from_array(np.zeros((1, 3, 4, 4), np.float32), 'k')
    expect_fail(tmp, 'no_path', model(
        [helper.make_node('Identity', ['k'], ['y'], name='id')], [const]), ['no path'])
    expect_fail(tmp, 'cycle', model(
        [helper.make_node('Add', ['x', 'b'], ['a'], name='n1'),
         helper.make_node('Relu', ['a'], ['b'], name='n2'),
         helper.make_node('Relu', ['a'], ['y'], name='n3')], []), ['cycle'])
    two = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, 3, 'h', 'w']) for n in 'xz']
    expect_fail(tmp, 'two_inputs', model(
        [helper.make_node('Add', ['x', 'z'], ['y'], name='a')], [], inputs=two), ['two inputs'])
    expect_fail(tmp, 'grouped_channels', model(
        [helper.make_node('Conv', ['x', 'w'], ['y'], name='g2', group=2)], [conv_w()]),
        ['g2'])
    size_dep = [helper.make_node('Shape', ['x'], ['s']),
                helper.make_node('Div', ['s', 'k'], ['d']),
                helper.make_node('Concat', ['d', 'd'], ['pads'], axis=0),
                helper.make_node('Pad', ['x', 'pads'], ['y'], name='sizepad')]
    expect_fail(tmp, 'size_dependent', model(
        size_dep, [numpy_helper.from_array(np.array([2, 4, 960, 960], np.int64), 'k')]),
        ['sizepad', "depends on the picture's size"])
    expect_fail(tmp, 'old_opset', model(
        [helper.make_node('Conv', ['x', 'w'], ['y'], name='c')], [conv_w()], opset=5), ['opset'])


def command(tmp):
    path = os.path.join(tmp, 'good.onnx')
    save(good(), path)
    env = dict(os.environ, XDG_DATA_HOME=os.path.join(tmp, 'xdg'))
    r = run('import', path, 'mine', env=env)
    folder = os.path.join(tmp, 'xdg', 'stylecam', 'models', 'mine')
    check('default folder', r.returncode == 0 and os.path.isfile(folder + '/manifest.json'), r)
    before = open(folder + '/weights.bin', 'rb').read()
    save(model([helper.make_node('Conv', ['x', 'w'], ['y'])], [conv_w(0.25)]), path)
    r = run('import', path, 'mine', env=env)
    check('no overwrite', r.returncode == 1 and 'already exists' in r.stderr and
          open(folder + '/weights.bin', 'rb').read() == before, r)
    r = run('import', '--force', path, 'mine', env=env)
    after = open(folder + '/weights.bin', 'rb').read()
    check('--force replaces', r.returncode == 0 and after != before and
          struct.unpack('<f', after[:4])[0] == 0.25, r)
    leftovers = [n for n in os.listdir(os.path.dirname(folder)) if n.startswith('.')]
    check('no temporary folders left', not leftovers, r)
    r = run('--list-styles', env=env)
    check('listed', r.returncode == 0 and 'mine' in r.stdout, r)
    png = os.path.join(tmp, 'in.png')
    shared = os.environ.get('STYLECAM_SHARED', '../shared')
    r = run('stylize', '--style', 'mine', os.path.join(shared, 'golden', 'chelsea_160x120.png'),
            png, env=env)
    check('--style works', r.returncode == 0 and os.path.getsize(png) > 0, r)
    # A network that shrinks the picture cannot give one of the asked size.
    shrink = os.path.join(tmp, 'shrink.onnx')
    save(model([helper.make_node('Conv', ['x', 'w9'], ['y'], name='valid9')],
               [numpy_helper.from_array(np.full((3, 3, 9, 9), 0.01, np.float32), 'w9')]), shrink)
    r = run('import', shrink, 'shrink', env=env)
    if r.returncode == 0:
        r = run('stylize', '--style', 'shrink',
                os.path.join(shared, 'golden', 'chelsea_160x120.png'), png, env=env)
    check('size refused', r.returncode == 1 and r.stderr.count('\n') == 1 and
          "cannot make a 160x120 picture" in r.stderr, r)
    r = run('import', path, 'a/b', '--models', os.path.join(tmp, 'm2'))
    check('bad name', r.returncode == 1 and 'cannot name a style' in r.stderr, r)
    r = run('import', path)
    check('usage', r.returncode == 2, r)


def io_formats(tmp):
    """Channel order and ranges on the way in and out, end to end."""
    import cv2
    pic = os.path.join(tmp, 'pic.png')
    rgb = (np.arange(23 * 17 * 3) * 37 % 256).astype(np.uint8).reshape(17, 23, 3)
    cv2.imwrite(pic, rgb[:, :, ::-1])
    cases = [('identity_bgr', np.eye(3), ['--channels', 'bgr'], rgb),
             ('reverse_rgb', np.eye(3)[::-1], [], rgb[:, :, ::-1]),
             ('range_1_in', 255 * np.eye(3), ['--input-range', '1'], rgb),
             ('range_1_both', np.eye(3), ['--input-range', '1', '--output-range', '1'], rgb)]
    for name, w, args, want in cases:
        path = os.path.join(tmp, name + '.onnx')
        save(model([helper.make_node('Conv', ['x', 'w'], ['y'])],
                   [numpy_helper.from_array(w.astype(np.float32).reshape(3, 3, 1, 1), 'w')]), path)
        models = os.path.join(tmp, 'io-models')
        r = run('import', '--models', models, *args, path, name)
        out = os.path.join(tmp, name + '.png')
        if r.returncode == 0:
            r = run('stylize', '--models', models, '--style', name, pic, out)
        got = cv2.imread(out)[:, :, ::-1] if r.returncode == 0 else None
        check(name, got is not None and np.abs(got.astype(int) - want).max() <= 1, r)


def check(what, ok, r):
    print(f'{what}: {"ok" if ok else "FAIL"} (exit {r.returncode}: {r.stderr.strip()})')
    if not ok:
        FAILS.append(what)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        bad_inputs(tmp)
        command(tmp)
        io_formats(tmp)
    if FAILS:
        sys.exit('FAIL: ' + ', '.join(FAILS))
    print('ok')


if __name__ == '__main__':
    main()
