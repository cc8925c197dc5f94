"""PyTorch's fast_neural_style TransformerNet (examples/fast_neural_style/
neural_style/transformer_net.py, BSD-3), written out again for the tests:
built with seeded weights, exported to ONNX with dynamic height and width."""
import torch


class ConvLayer(torch.nn.Module):
    def __init__(self, i, o, k, s):
        super().__init__()
        self.reflection_pad = torch.nn.ReflectionPad2d(k // 2)
        self.conv2d = torch.nn.Conv2d(i, o, k, s)

    def forward(self, x):
        return self.conv2d(self.reflection_pad(x))


class ResidualBlock(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = ConvLayer(c, c, 3, 1)
        self.in1 = torch.nn.InstanceNorm2d(c, affine=True)
        self.conv2 = ConvLayer(c, c, 3, 1)
        self.in2 = torch.nn.InstanceNorm2d(c, affine=True)
        self.relu = torch.nn.ReLU()

    def forward(self, x):
        out = self.relu(self.in1(self.conv1(x)))
        return self.in2(self.conv2(out)) + x


class UpsampleConvLayer(torch.nn.Module):
    by_size = False   # upsample to a size computed from the input (Shape in the export)

    def __init__(self, i, o, k, s, upsample=None):
        super().__init__()
        self.upsample = upsample
        self.reflection_pad = torch.nn.ReflectionPad2d(k // 2)
        self.conv2d = torch.nn.Conv2d(i, o, k, s)

    def forward(self, x):
        if self.upsample and self.by_size:
            x = torch.nn.functional.interpolate(
                x, mode='nearest', size=(x.shape[2] * self.upsample, x.shape[3] * self.upsample))
        elif self.upsample:
            x = torch.nn.functional.interpolate(x, mode='nearest', scale_factor=self.upsample)
        return self.conv2d(self.reflection_pad(x))


class TransformerNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = ConvLayer(3, 32, 9, 1)
        self.in1 = torch.nn.InstanceNorm2d(32, affine=True)
        self.conv2 = ConvLayer(32, 64, 3, 2)
        self.in2 = torch.nn.InstanceNorm2d(64, affine=True)
        self.conv3 = ConvLayer(64, 128, 3, 2)
        self.in3 = torch.nn.InstanceNorm2d(128, affine=True)
        self.res1, self.res2, self.res3, self.res4, self.res5 = (
            ResidualBlock(128) for _ in range(5))
        self.deconv1 = UpsampleConvLayer(128, 64, 3, 1, upsample=2)
        self.in4 = torch.nn.InstanceNorm2d(64, affine=True)
        self.deconv2 = UpsampleConvLayer(64, 32, 3, 1, upsample=2)
        self.in5 = torch.nn.InstanceNorm2d(32, affine=True)
        self.deconv3 = ConvLayer(32, 3, 9, 1)
        self.relu = torch.nn.ReLU()

    def forward(self, x):
        y = self.relu(self.in1(self.conv1(x)))
        y = self.relu(self.in2(self.conv2(y)))
        y = self.relu(self.in3(self.conv3(y)))
        y = self.res5(self.res4(self.res3(self.res2(self.res1(y)))))
        y = self.relu(self.in4(self.deconv1(y)))
        y = self.relu(self.in5(self.deconv2(y)))
        return self.deconv3(y)


def make(seed):
    """A TransformerNet with seeded weights whose output spans 0..255 on photographs
    (the default initialization gives a nearly flat picture)."""
    torch.manual_seed(seed)
    net = TransformerNet().eval()
    with torch.no_grad():
        for name, p in net.named_parameters():
            if '.in' in name or name.startswith('in'):
                p.copy_(torch.rand_like(p) * 0.5 + (0.75 if name.endswith('weight') else -0.25))
        net.deconv3.conv2d.weight.mul_(80)
        net.deconv3.conv2d.bias.add_(127.5)
    return net


def export(net, path, opset):
    """Opsets 7 and 8, which PyTorch no longer writes, come from an opset-9
    export through ONNX's version converter (Upsample with a scales attribute)."""
    x = torch.rand(1, 3, 64, 48) * 255
    torch.onnx.export(net, x, path, opset_version=max(opset, 9), input_names=['input'],
                      output_names=['output'],
                      dynamic_axes={'input': {2: 'h', 3: 'w'}, 'output': {2: 'h', 3: 'w'}})
    if opset < 9:
        import onnx
        from onnx import version_converter
        onnx.save(version_converter.convert_version(onnx.load(path), opset), path)
