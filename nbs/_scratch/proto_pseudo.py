"""Prototype: distil also on pseudo-abnormal copies of the training videos. In each copy, detected objects are cut
out (foreground against the median background) during short windows and pasted back displaced by an erratic shake
(dx = A sin(w t + p) + noise); the teachers score the copies like any video and the student distils their maps.
MODE sway: the box region shows frame t + J sin(w t + p) instead (no erasing).
Usage: python proto_pseudo.py SEED EXP '{"copies": 1, "amp": [0.1, 0.3], ...}' '{student overrides}'"""
import sys, json, time, dataclasses, numpy as np, cv2
from pathlib import Path
from fast_aed import pipeline
from fast_aed.data import load_dataset, DatasetWriter, read_frame
from fast_aed.detect import load_detections
from proto_common import setup, distil_and_report

seed = int(sys.argv[1]); exp = sys.argv[2]
opt = {'copies': 1, 'amp': [0.1, 0.3], 'omega': [0.7, 1.5], 'length': [20, 45], 'every': 50, 'grow': 0.25, **(json.loads(sys.argv[3]) if len(sys.argv) > 3 else {})}
extra = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
ds, work = setup(seed, 'pseudo', exp)
det_key = json.loads((next((work / 'detections').iterdir()) / 'config.json').read_text())['key']


def shake_copy(r, rng):
    "Frames of one pseudo-abnormal copy of training video `r` and the frames that hold a shaken object."
    frames = np.stack([read_frame(r, i) for i in range(r.frames)])
    bg = np.median(frames[::5], axis=0).astype(np.uint8)
    dets = load_detections(work, det_key, 'train', r.name)
    H, W = frames.shape[1:3]; out = frames.copy(); marked = np.zeros(r.frames, bool)
    for t0 in range(int(rng.integers(0, opt['every'])), r.frames, opt['every']):
        L = int(rng.integers(*opt['length'])); ts = range(t0, min(t0 + L, r.frames))
        boxes, _, _ = dets.for_frame(t0)
        if not len(boxes): continue
        x1, y1, x2, y2 = boxes[rng.integers(len(boxes))]
        g = opt['grow'] * max(x2 - x1, y2 - y1)
        x1, y1, x2, y2 = int(max(0, x1 - g)), int(max(0, y1 - g)), int(min(W, x2 + g)), int(min(H, y2 + g))
        h = y2 - y1; A = rng.uniform(*opt['amp']) * h; w = rng.uniform(*opt['omega']); p = rng.uniform(0, 6.3)
        if opt.get('mode') == 'sway':   # the box region replays its own past and future: the object sways in place, no seams
            J = int(rng.integers(opt.get('sway', [2, 5])[0], opt.get('sway', [2, 5])[1] + 1))
            for t in ts:
                i = int(np.clip(t + round(J * np.sin(w * (t - t0) + p)), 0, r.frames - 1))
                out[t, y1:y2, x1:x2] = frames[i, y1:y2, x1:x2]; marked[t] = True
            continue
        for t in ts:
            crop = frames[t, y1:y2, x1:x2]
            fg = (np.abs(crop.astype(int) - bg[y1:y2, x1:x2]).sum(-1) > 40).astype(np.uint8)
            fg = cv2.dilate(cv2.morphologyEx(fg, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)), np.ones((3, 3), np.uint8)).astype(bool)
            if fg.sum() < 20: continue
            dx = int(round(A * np.sin(w * (t - t0) + p) + rng.normal(0, 0.1 * A)))
            dy = int(round(0.3 * A * np.sin(1.7 * w * (t - t0) + 2 * p)))
            out[t, y1:y2, x1:x2][fg] = bg[y1:y2, x1:x2][fg]   # erase the object
            ys, xs = np.nonzero(fg); yd, xd = ys + y1 + dy, xs + x1 + dx
            ok = (yd >= 0) & (yd < H) & (xd >= 0) & (xd < W)
            out[t, yd[ok], xd[ok]] = crop[ys[ok], xs[ok]]       # paste it displaced
            marked[t] = True
    return out, marked


t0 = time.time()
dds = pipeline.distillation_dataset(ds, work, ['B'], ('motion', None), (2, 3), log=print)
out = work / 'pseudo' / 'data'
if not (out / 'dataset.json').exists():
    rng = np.random.default_rng(seed); marks = {}
    with DatasetWriter(out, overwrite=True) as w:
        for c in range(opt['copies']):
            for r in ds.train:
                frames, marked = shake_copy(r, rng); marks[f'{r.name}_p{c}'] = marked.tolist()
                w.add_video('train', f'{r.name}_p{c}', frames)
        w.finish(f'{ds.name}-pseudo', fps=ds.fps, channels=ds.channels, source={'kind': 'pseudo', **opt})
    (work / 'pseudo' / 'marks.json').write_text(json.dumps(marks))
pds = load_dataset(out)
pdets = pipeline.run_detection(pds, work, 'motion', None, splits=('train',))
pipeline.score_teacher(pds, work, 'B', pdets, splits=('train',))
# how much the teacher reacts: max object score per frame, inside vs outside the shaken windows
marks = json.loads((work / 'pseudo' / 'marks.json').read_text()); inside, outside = [], []
for r in pds.train:
    d = pipeline.load_object_scores(work, 'B', 'train', r.name); fs = pipeline.object_frame_scores(d, r.frames)
    m = np.asarray(marks[r.name]); inside += list(fs[m]); outside += list(fs[~m])
print('teacher B frame score inside/outside shaken windows: %.3f / %.3f' % (np.mean(inside), np.mean(outside)))
dds = dataclasses.replace(dds, train=list(dds.train) + list(pds.train))
print('copies', time.time() - t0)
distil_and_report(ds, dds, work, seed, extra, {'exp': exp, 'opt': opt}, Path('/tmp/exp/pseudo_results.jsonl'))
