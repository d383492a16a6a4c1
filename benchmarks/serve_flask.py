"""The seeds' serving design, for benchmarks/serve.sh: Flask + PyTorch serving the same MLP or
CNN checkpoint (configs/fashion-mlp.yaml, configs/fashion-cnn.yaml). POST /predict takes
{"image": [784 raw pixels]}, scales by 1/255 and answers the argmax class with its
probabilities, as the seed does.
    python3 benchmarks/serve_flask.py CHECKPOINT_DIR PORT mlp|cnn
"""
import json, struct, sys
import torch
from flask import Flask, jsonify, request

torch.set_num_threads(1)
checkpoint, port, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(checkpoint + "/model.safetensors", "rb") as f:
    (n,) = struct.unpack("<Q", f.read(8))
    header = json.loads(f.read(n))
    data = f.read()
tensors = {k: torch.frombuffer(bytearray(data[v["data_offsets"][0]:v["data_offsets"][1]]), dtype=torch.float32).reshape(v["shape"])
           for k, v in header.items() if k != "__metadata__"}
class NHWC(torch.nn.Module):
    """Shoal's activations are NHWC: its flatten after a conv reads (H, W, C), PyTorch's (C, H, W)."""
    def forward(self, x):
        return x.permute(0, 2, 3, 1)

if kind == "mlp":  # layers.1-3: dense 256, 128, 10
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    modules = {"layers.1": model[1], "layers.2": model[3], "layers.3": model[5]}
else:  # layers.0 conv2d 32x3x3, 1 max_pool2d, 2 dropout, 3 flatten, 4 dense 128, 5 dropout, 6 dense 10
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2), NHWC(),
                                torch.nn.Flatten(), torch.nn.Linear(13 * 13 * 32, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    modules = {"layers.0": model[0], "layers.4": model[5], "layers.6": model[7]}
with torch.no_grad():
    for name, module in modules.items():
        module.weight.copy_(tensors[name + ".weight"])
        module.bias.copy_(tensors[name + ".bias"])
model.eval()
app = Flask(__name__)

@app.route("/predict", methods=["POST"])
def predict():
    x = torch.tensor(request.get_json()["image"], dtype=torch.float32).reshape(1, 1, 28, 28) / 255
    with torch.no_grad():
        p = torch.softmax(model(x), dim=1)[0]
    return jsonify({"predictions": [int(p.argmax())], "probabilities": [p.tolist()]})

app.run(host="127.0.0.1", port=port, threaded=True)
