# Student-base batch-1 latency under several CPU runtimes (fresh weights; speed does not depend on them).
import sys, time, torch, numpy as np, tempfile
from pathlib import Path
from fast_aed.distill import DistillConfig
from fast_aed.student import Student
cfg = DistillConfig(); W, H = cfg.input_size
m0 = Student(**cfg.student_args()).eval()
class Tup(torch.nn.Module):
    def __init__(s, m): super().__init__(); s.m = m
    def forward(s, x): o = s.m(x); return tuple(o[k] for k in sorted(o))
m = Tup(m0).eval()
def bench(fn, x, iters=300, warm=30):
    for _ in range(warm): fn(x)
    ts = []
    for _ in range(iters):
        t0 = time.perf_counter(); fn(x); ts.append(time.perf_counter() - t0)
    return 1 / np.median(ts), np.median(ts) * 1e3
res = {}
for th in (2, 1):
    torch.set_num_threads(th)
    for b in (1, 32):
        x = torch.randn(b, 9, H, W)
        with torch.inference_mode():
            f, ms = bench(m, x); res[f'eager nchw t{th} b{b}'] = f * b
            mc = m.to(memory_format=torch.channels_last); xc = x.contiguous(memory_format=torch.channels_last)
            f, ms = bench(mc, xc); res[f'eager cl t{th} b{b}'] = f * b
            m = m.to(memory_format=torch.contiguous_format)
        with torch.no_grad():
            tr = torch.jit.freeze(torch.jit.trace(m, x, strict=False))
            f, _ = bench(tr, x); res[f'jit freeze t{th} b{b}'] = f * b
            try:
                opt = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.trace(m, x, strict=False)))
                f, _ = bench(opt, x); res[f'jit opt4inf t{th} b{b}'] = f * b
            except Exception as e: print('opt4inf', e)
    try:
        from fast_aed.deploy import export_onnx, OnnxStudent
        import onnxruntime as ort
        with tempfile.TemporaryDirectory() as d:
            p = export_onnx(m0, Path(d) / 's.onnx', input_size=(W, H), in_channels=9)
            so = ort.SessionOptions(); so.intra_op_num_threads = th; so.inter_op_num_threads = 1
            s = ort.InferenceSession(str(p), so, providers=['CPUExecutionProvider'])
            name = s.get_inputs()[0].name
            for b in (1, 32):
                x = np.random.randn(b, 9, H, W).astype(np.float32)
                f, _ = bench(lambda x: s.run(None, {name: x}), x); res[f'ort t{th} b{b}'] = f * b
    except Exception as e: print('ort', repr(e))
for k, v in res.items(): print(f'{k:28s} {v:8.1f} fps')
