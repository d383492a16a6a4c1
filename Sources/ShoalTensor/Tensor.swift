// Tensor and kernels: issue 3.
