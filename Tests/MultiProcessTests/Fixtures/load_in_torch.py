"""Loads a Shoal checkpoint's model.safetensors into the equivalent torch.nn.Sequential of
configs/fashion-mlp.yaml and prints its class probabilities for the first N test images as JSON.

Shoal names a tensor by the index of its layer in the config's `model.layers` list
(`layers.<i>.weight`, `layers.<i>.bias`, PyTorch's (out, in) layout); a layer without parameters
(flatten, dropout, an activation folded into dense) keeps its index, so the names skip it. The
map below from those names to the Sequential's modules is the whole translation.

    python3 load_in_torch.py CHECKPOINT_DIR IMAGES_GZ N
"""
import gzip, json, struct, sys
import torch

checkpoint, images_path, count = sys.argv[1], sys.argv[2], int(sys.argv[3])

def load_safetensors(path):
    # The format is an 8-byte header length, a JSON header, then the raw tensors; with the
    # `safetensors` package this is safetensors.torch.load_file(path).
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", info
        start, end = info["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(data[start:end]), dtype=torch.float32).reshape(info["shape"])
    return tensors

model = torch.nn.Sequential(
    torch.nn.Flatten(),                             # layers.0: flatten
    torch.nn.Linear(784, 256), torch.nn.ReLU(),     # layers.1: dense 256, relu
    torch.nn.Linear(256, 128), torch.nn.ReLU(),     # layers.2: dense 128, relu
    torch.nn.Linear(128, 10),                       # layers.3: dense 10 (softmax in the loss)
)
names = {"layers.1": model[1], "layers.2": model[3], "layers.3": model[5]}
tensors = load_safetensors(checkpoint + "/model.safetensors")
assert set(tensors) == {f"{k}.{p}" for k in names for p in ("weight", "bias")}, sorted(tensors)
with torch.no_grad():
    for prefix, module in names.items():
        module.weight.copy_(tensors[prefix + ".weight"])
        module.bias.copy_(tensors[prefix + ".bias"])

raw = gzip.open(images_path).read()[16:16 + count * 784]
# Training's preprocessing (data.normalize: scale); NHWC with one channel flattens like (N, 28, 28).
x = torch.tensor(list(raw), dtype=torch.float32).reshape(count, 28, 28, 1) / 255
with torch.no_grad():
    probabilities = torch.softmax(model(x), dim=1)
print(json.dumps({"classes": probabilities.argmax(dim=1).tolist(), "probabilities": probabilities.tolist()}))
