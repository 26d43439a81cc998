"""Smoke test of detection + teachers A/B + maps on OpenCV's vtest.avi (a real campus walkway).

Get the video first:
  cd /tmp && apt-get download opencv-doc && dpkg-deb --fsys-tarfile opencv-doc*.deb | tar -x ./usr/share/doc/opencv-doc/examples/data/vtest.avi
Run (from the repo root, after `source scripts/env.sh`):
  OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 nice -n 10 python nbs/_scratch/vtest/run_vtest.py [stage ...]
stages: data detect fitA fitB scoreA scoreB maps plots (default: all). Every stage is cached by the library.
"""
import json, sys, time
from pathlib import Path
import numpy as np, cv2

from fast_aed.data import DatasetWriter, load_dataset, read_frame
from fast_aed.convert import decode_video
from fast_aed import pipeline
from fast_aed.maps import load_teacher_maps

VIDEO = Path('/tmp/usr/share/doc/opencv-doc/examples/data/vtest.avi')
ROOT = Path('/tmp/vtest_work'); DATA, WORK = ROOT / 'data', ROOT / 'work'
OUT = Path(__file__).resolve().parent
SIZE, SPLIT = (384, 288), 450
TIMES = ROOT / 'timings.json'
TEACHER_OVERRIDES = {'A': {}, 'B': {}}   # defaults; e.g. {'epochs': 4} to shorten teacher B

times = json.loads(TIMES.read_text()) if TIMES.exists() else {}
def timed(name, fn):
    t0 = time.time(); r = fn(); times[name] = round(time.time() - t0, 1)
    TIMES.write_text(json.dumps(times, indent=1)); print(f'[{name}] {times[name]} s', flush=True); return r

def make_data():
    frames = list(decode_video(VIDEO))
    print('decoded', len(frames), 'frames', frames[0].shape)
    with DatasetWriter(DATA, overwrite=True, size=SIZE) as w:
        w.add_video('train', 'vtest_train', frames[:SPLIT])
        w.add_video('test', 'vtest_test', frames[SPLIT:], labels=np.zeros(len(frames) - SPLIT, np.uint8))
        w.finish('vtest', fps=10.0, source={'kind': 'opencv-doc vtest.avi', 'size': list(SIZE)})

stages = sys.argv[1:] or ['data', 'detect', 'fitA', 'fitB', 'scoreA', 'scoreB', 'maps', 'plots']
if 'data' in stages and not (DATA / 'dataset.json').exists(): timed('data', make_data)
ds = load_dataset(DATA)
dets = timed('detect' if 'detect' not in times else 'detect_cached', lambda: pipeline.run_detection(ds, WORK, 'motion'))
for t in 'AB':
    if f'fit{t}' in stages:
        timed(f'fit{t}', lambda: pipeline.fit_teacher(ds, WORK, t, dets, pipeline.make_teacher_config(t, TEACHER_OVERRIDES[t])))
for t in 'AB':
    if f'score{t}' in stages: timed(f'score{t}', lambda: pipeline.score_teacher(ds, WORK, t, dets))
if 'maps' in stages: timed('maps', lambda: pipeline.build_maps(ds, WORK))

def box_stats():
    for (sp, v), d in dets.items():
        rec = ds.video(sp, v); n = np.bincount(d.frame, minlength=rec.frames)
        print(f'{sp}/{v}: {len(d.frame)} boxes, {n.mean():.2f}/frame (min {n.min()}, max {n.max()}), '
              f'median box {np.median(d.boxes[:,2]-d.boxes[:,0]):.0f}x{np.median(d.boxes[:,3]-d.boxes[:,1]):.0f}')

def draw_boxes(img, boxes, labels, color=(0, 255, 0)):
    for b, s in zip(boxes.astype(int), labels):
        cv2.rectangle(img, (b[0], b[1]), (b[2], b[3]), color, 1)
        cv2.putText(img, s, (b[0], max(b[1] - 2, 8)), cv2.FONT_HERSHEY_SIMPLEX, 0.3, (0, 255, 255), 1, cv2.LINE_AA)
    return img

def overlay(img, m16):
    h, w = img.shape[:2]
    m = cv2.resize(m16.astype(np.float32), (w, h), interpolation=cv2.INTER_NEAREST)
    heat = cv2.applyColorMap((np.clip(m, 0, 1) * 255).astype(np.uint8), cv2.COLORMAP_JET)
    return cv2.addWeighted(img, 0.55, heat, 0.45, 0)

def grid(tiles, ncol=3):
    rows = [np.hstack(tiles[i:i + ncol]) for i in range(0, len(tiles), ncol)]
    return np.vstack(rows)

def save(img, name, colors=128):
    "PNG, palette-quantised (PIL) to stay under ~300 KB."
    from PIL import Image
    p = OUT / name
    Image.fromarray(img[..., ::-1]).quantize(colors, method=Image.Quantize.MEDIANCUT).save(p, optimize=True)
    print('wrote', p, p.stat().st_size // 1024, 'KB')

def pool16(mask):
    H, W = mask.shape; ys = [(i * H) // 16 for i in range(16)] + [H]; xs = [(j * W) // 16 for j in range(16)] + [W]
    return np.array([[mask[ys[i]:ys[i + 1], xs[j]:xs[j + 1]].any() for j in range(16)] for i in range(16)])

def plots():
    box_stats()
    rec = ds.test[0]
    sc = {t: pipeline.load_object_scores(WORK, t, 'test', rec.name) for t in 'AB'}
    mp = {t: load_teacher_maps(WORK, t, 'test', rec.name) for t in 'AB'}
    # video min-max normalised object scores (the same normalisation the maps use) for the labels
    nrm = {t: pipeline.normalise_scores(sc[t]['score']) for t in 'AB'}
    frames = np.linspace(20, rec.frames - 21, 6).astype(int)
    tiles, tiles_a, tiles_b = [], [], []
    for f in frames:
        img = read_frame(rec, f); sel = sc['A']['frame'] == f
        assert np.array_equal(sc['A']['boxes'][sel], sc['B']['boxes'][sel])
        lab = [f'A{a:.2f} B{b:.2f}' for a, b in zip(nrm['A'][sel], nrm['B'][sel])]
        t = draw_boxes(img.copy(), sc['A']['boxes'][sel], lab)
        cv2.putText(t, f'test f{f}', (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1)
        tiles.append(t)
        for tt, lst in (('A', tiles_a), ('B', tiles_b)):
            o = draw_boxes(overlay(img, mp[tt][16][f]), sc['A']['boxes'][sel], [''] * sel.sum(), (255, 255, 255))
            cv2.putText(o, f'{tt} 16x16 f{f}', (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1)
            lst.append(o)
    save(grid(tiles), 'vtest_boxes_scores.png', colors=64)
    save(grid(tiles_a), 'vtest_maps16_A.png'); save(grid(tiles_b), 'vtest_maps16_B.png')
    # top-5 highest scored test boxes per teacher: 80x80 px context windows, upscaled 3x, one row per teacher
    rows = []
    for t in 'AB':
        order = np.argsort(-sc[t]['score'])[:5]; crops = []
        print(f'teacher {t} top-5 test boxes:')
        for r, i in enumerate(order):
            f, b = int(sc[t]['frame'][i]), sc[t]['boxes'][i]
            print(f'  #{r+1} frame {f} box {np.round(b).astype(int).tolist()} score {sc[t]["score"][i]:.3f} (norm {nrm[t][i]:.2f})')
            img = read_frame(rec, f); cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
            x0, y0 = int(np.clip(cx - 40, 0, rec.width - 80)), int(np.clip(cy - 40, 0, rec.height - 80))
            c = cv2.resize(img[y0:y0 + 80, x0:x0 + 80], (240, 240), interpolation=cv2.INTER_CUBIC)
            bb = ((b - [x0, y0, x0, y0]) * 3).astype(int)
            cv2.rectangle(c, (bb[0], bb[1]), (bb[2], bb[3]), (0, 0, 255), 1)
            cv2.putText(c, f'{t} #{r+1} f{f} n={nrm[t][i]:.2f}', (3, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 255), 1)
            crops.append(c)
        rows.append(np.hstack(crops))
    save(np.vstack(rows), 'vtest_top5_AB.png')
    # do scores follow the object's size (distance to the camera)?
    h = sc['A']['boxes'][:, 3] - sc['A']['boxes'][:, 1]
    for t in 'AB':
        print(f'teacher {t}: corr(score, box height) {np.corrcoef(sc[t]["score"], h)[0, 1]:.2f}, '
              f'corr(score, box bottom y) {np.corrcoef(sc[t]["score"], sc["A"]["boxes"][:, 3])[0, 1]:.2f}')
    # how much of each 16x16 map's mass lies inside the boxes' cells
    for t in 'AB':
        m16 = mp[t][16]; inside = []; cover = []
        for f in range(rec.frames):
            sel = sc['A']['frame'] == f; mask = np.zeros((rec.height, rec.width), bool)
            for b in sc['A']['boxes'][sel].astype(int): mask[max(b[1], 0):b[3] + 1, max(b[0], 0):b[2] + 1] = True
            cells = pool16(mask)   # cells touched by any box (the maps are adaptive max pools)
            if m16[f].sum() > 0: inside.append(m16[f][cells].sum() / m16[f].sum())
            cover.append(cells.mean())
        print(f'maps {t}: fraction of 16x16 mass on box cells {np.mean(inside):.3f} over {len(inside)} non-empty frames; '
              f'box cells cover {np.mean(cover):.3f} of the grid; s1 range {mp[t][1].min():.2f}-{mp[t][1].max():.2f}')
    print('rank correlation A vs B (test boxes):', round(float(np.corrcoef(np.argsort(np.argsort(sc['A']['score'])), np.argsort(np.argsort(sc['B']['score'])))[0, 1]), 3))

if 'plots' in stages: timed('plots', plots)
print(json.dumps(times))
