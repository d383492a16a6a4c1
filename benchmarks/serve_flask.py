"""The seeds' serving design, for benchmarks/serve.sh: Flask + PyTorch serving the same MLP
checkpoint. POST /predict takes {"image": [784 raw pixels]}, scales by 1/255 and answers the
argmax class with its probabilities, as the seed does.
    python3 benchmarks/serve_flask.py CHECKPOINT_DIR PORT
"""
import json, struct, sys
import torch
from flask import Flask, jsonify, request

torch.set_num_threads(1)
checkpoint, port = sys.argv[1], int(sys.argv[2])
with open(checkpoint + "/model.safetensors", "rb") as f:
    (n,) = struct.unpack("<Q", f.read(8))
    header = json.loads(f.read(n))
    data = f.read()
tensors = {k: torch.frombuffer(bytearray(data[v["data_offsets"][0]:v["data_offsets"][1]]), dtype=torch.float32).reshape(v["shape"])
           for k, v in header.items() if k != "__metadata__"}
model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 256), torch.nn.ReLU(),
                            torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
with torch.no_grad():
    for name, module in {"layers.1": model[1], "layers.2": model[3], "layers.3": model[5]}.items():
        module.weight.copy_(tensors[name + ".weight"])
        module.bias.copy_(tensors[name + ".bias"])
model.eval()
app = Flask(__name__)

@app.route("/predict", methods=["POST"])
def predict():
    x = torch.tensor(request.get_json()["image"], dtype=torch.float32).reshape(1, 784) / 255
    with torch.no_grad():
        p = torch.softmax(model(x), dim=1)[0]
    return jsonify({"predictions": [int(p.argmax())], "probabilities": [p.tolist()]})

app.run(host="127.0.0.1", port=port, threaded=True)
