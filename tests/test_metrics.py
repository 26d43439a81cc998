"Integration tests for fast_aed.metrics and fast_aed.evaluate: independent re-computations on random data."
import json, math
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from fast_aed.core import FastAedError
from fast_aed.metrics import (EvalConventions, box_iou, frame_level_report, gaussian_smooth, macro_auc, micro_auc,
                              rbdc_tbdc, rbdc_tbdc_curves)


def _random_videos(rng, n=6):
    S, Y = [], []
    for i in range(n):
        T = int(rng.integers(30, 200))
        y = np.zeros(T, np.uint8)
        a = int(rng.integers(0, T - 10))
        y[a:a + int(rng.integers(1, 10))] = 1
        S.append(rng.random(T) + y * rng.random())
        Y.append(y)
    return S, Y


def test_auc_matches_sklearn_on_random_videos():
    rng = np.random.default_rng(0)
    S, Y = _random_videos(rng)
    assert micro_auc(S, Y) == pytest.approx(roc_auc_score(np.concatenate(Y), np.concatenate(S)))
    assert macro_auc(S, Y) == pytest.approx(np.mean([roc_auc_score(y, s) for s, y in zip(S, Y)]))
    # 'pad' pads every video with (min, label 0) first and (max, label 1) last
    pads = [roc_auc_score(np.r_[0, y, 1], np.r_[s.min(), s, s.max()]) for s, y in zip(S, Y)]
    assert macro_auc(S, Y, 'pad') == pytest.approx(np.mean(pads))


def test_smoothing_is_linear_and_official_matches_formula():
    rng = np.random.default_rng(1)
    a, b = rng.random(300), rng.random(300)
    for pad in ('reflect', 'edge', 'zero'):
        for c in ('centred', 'official_lag'):
            lhs = gaussian_smooth(2 * a + 3 * b, padding=pad, center=c)
            rhs = 2 * gaussian_smooth(a, padding=pad, center=c) + 3 * gaussian_smooth(b, padding=pad, center=c)
            np.testing.assert_allclose(lhs, rhs, atol=1e-12)
    # official: out[i] = sum_k g(k) * a[i - 1 + k - 150]  (zero outside), g centred on 150 over 1..301
    k = np.arange(1, 302)
    g = np.exp(-0.5 * ((k - 150) / 21) ** 2) / (21 * math.sqrt(2 * math.pi))
    i = 7
    manual = sum(g[j] * a[i + j - 150] for j in range(301) if 0 <= i + j - 150 < len(a))
    assert gaussian_smooth(a, padding='zero', center='official_lag')[i] == pytest.approx(manual)


def _brute_rbdc(dets, tracks, num_frames, alpha=0.1, beta=0.1):
    "Order-free restatement: after the top-k detections, detected = union of hits; FP = detections hitting none"
    order = sorted(range(len(dets)), key=lambda i: -dets[i][6])
    n_tr = {}
    for v, t, *_ in tracks:
        n_tr[(v, t)] = n_tr.get((v, t), 0) + 1
    fpr, rb, tb = [0.0], [0.0], [0.0]
    for k in range(1, len(order) + 1):
        hit_regions, fp = set(), 0
        for i in order[:k]:
            v, f, *box, _ = dets[i]
            hits = [r for r, (tv, _, tf, *tbox) in enumerate(tracks)
                    if tv == v and tf == f and box_iou(box, [tbox])[0] >= beta]
            if not hits:
                fp += 1
            hit_regions.update(hits)
        per_track = {}
        for r in hit_regions:
            per_track[tracks[r][:2]] = per_track.get(tracks[r][:2], 0) + 1
        fpr.append(fp / num_frames)
        rb.append(len(hit_regions) / len(tracks))
        tb.append(sum(per_track.get(t, 0) / n >= alpha for t, n in n_tr.items()) / len(n_tr))
    fpr, rb, tb = map(np.array, (fpr, rb, tb))
    keep = fpr <= 1
    fpr, rb, tb = fpr[keep], rb[keep], tb[keep]
    if fpr[-1] < 1:
        fpr, rb, tb = np.r_[fpr, 1], np.r_[rb, rb[-1]], np.r_[tb, tb[-1]]
    return np.trapezoid(rb, fpr), np.trapezoid(tb, fpr)


@pytest.mark.parametrize('seed', range(5))
def test_rbdc_tbdc_matches_order_free_brute_force(seed):
    rng = np.random.default_rng(seed)
    tracks = []
    for v in ('a', 'b'):
        for t in range(3):
            f0 = int(rng.integers(0, 20))
            x, y = rng.integers(0, 100, 2)
            for f in range(f0, f0 + int(rng.integers(2, 8))):
                tracks.append((v, t, f, int(x + f), int(y), int(x + f + 20), int(y + 30)))
    dets = []
    for _ in range(60):
        if rng.random() < 0.5:
            v, _, f, *b = tracks[int(rng.integers(len(tracks)))]
            b = (np.array(b) + rng.integers(-15, 15, 4)).tolist()
        else:
            v, f = ('a', 'b')[int(rng.integers(2))], int(rng.integers(0, 30))
            x, y = rng.integers(0, 120, 2)
            b = [int(x), int(y), int(x + 25), int(y + 25)]
        dets.append((v, f, *b, float(rng.random())))
    got = rbdc_tbdc(dets, tracks, num_frames=40)
    want = _brute_rbdc(dets, tracks, num_frames=40)
    assert got == pytest.approx(want, abs=1e-12)
    assert 0 <= got[0] <= 1 and 0 <= got[1] <= 1


def test_rbdc_perfect_and_curves_monotone():
    tracks = [('v', 1, f, 10, 10, 40, 60) for f in range(5)] + [('w', 2, f, 0, 0, 9, 9) for f in range(3)]
    dets = [(v, f, *b, 1.0) for v, _, f, *b in tracks]
    assert rbdc_tbdc(dets, tracks, num_frames=100) == (1.0, 1.0)
    c = rbdc_tbdc_curves(dets + [('v', 50, 0, 0, 5, 5, .1)], tracks, 100)
    assert np.all(np.diff(c['fpr']) >= 0) and np.all(np.diff(c['rbdr']) >= 0)


def test_null_baseline_exposes_zero_padding_bias():
    labels = []
    for i in range(5):
        y = np.zeros(300, np.uint8)
        y[100:200] = 1
        labels.append(y)
    const = [np.ones(300) for _ in labels]
    assert frame_level_report(const, labels)['null_baseline']['micro_auc'] == 0.5
    off = frame_level_report(const, labels, EvalConventions.official())
    assert off['null_baseline']['micro_auc'] > 0.8
    json.dumps(off)


def test_bad_inputs_raise_fast_aed_error():
    with pytest.raises(FastAedError, match='3 scores but 2 labels'):
        micro_auc([np.ones(3)], [np.zeros(2)])
    with pytest.raises(FastAedError, match='no ground-truth'):
        rbdc_tbdc([], [], 10)
    with pytest.raises(FastAedError, match='padding'):
        EvalConventions(padding='circular')


# ---------------------------------------------------------------- evaluate: end to end on a tiny dataset
from fast_aed.data import DatasetWriter, load_dataset, read_tracks
from fast_aed import evaluate as ev


def _tiny(root, with_tracks=True):
    rng = np.random.default_rng(0)
    w = DatasetWriter(root, frame_ext='.png')
    w.add_video('train', 'tr', np.full((5, 32, 48, 3), 80, np.uint8))
    for v, (a, b, kind) in enumerate([(20, 34, 'fast'), (5, 14, 'bright'), (0, 39, 'fast')]):
        T = 40
        fr = rng.integers(70, 90, (T, 32, 48, 3)).astype(np.uint8)
        lab = np.zeros(T, np.uint8)
        tr = []
        for t in range(a, b + 1):
            x = t - a
            fr[t, 4:12, x:x + 8] = 250
            lab[t] = 1
            tr.append((0, t, x, 4, x + 7, 11))
        w.add_video('test', f'v{v}', fr, labels=lab, tracks=np.array(tr) if with_tracks else None,
                    events=[{'track_id': 0, 'kind': kind, 'start': a, 'end': b}])
    return load_dataset(w.finish('tiny'))


def _maps_from_gt(ds, noise, seed=0):
    rng = np.random.default_rng(seed)
    out = {}
    for r in ds.test:
        T = r.frames
        m16 = rng.random((T, 16, 16)) * noise
        for _, f, x1, y1, x2, y2 in read_tracks(r):
            m16[f, y1 * 16 // r.height:y2 * 16 // r.height + 1, x1 * 16 // r.width:x2 * 16 // r.width + 1] += 1
        out[r.name] = {1: m16.reshape(T, -1).max(1), 4: m16.reshape(T, 4, 4, 4, 4).max(axis=(2, 4)), 16: m16}
    return out


def test_evaluate_student_maps_shape_and_values(tmp_path):
    from fast_aed.detect import Detections
    ds = _tiny(tmp_path / 'tiny')
    maps = _maps_from_gt(ds, noise=0.2)
    dets = {}
    for r in ds.test:
        tr = read_tracks(r)
        fr = np.r_[tr[:, 1], np.arange(r.frames)]
        bx = np.r_[tr[:, 2:].astype(np.float32), np.tile([[30, 20, 40, 30]], (r.frames, 1))]
        o = np.argsort(fr, kind='stable')
        dets[('test', r.name)] = Detections(fr[o], bx[o], np.ones(len(fr)), np.zeros(len(fr)))
    res = ev.evaluate_student_maps(ds, maps, dets)
    json.loads(json.dumps(res))
    assert {'micro_auc', 'macro_auc', 'rbdc', 'tbdc', 'heads', 'conventions'} <= set(res)
    assert list(res['heads']) == ['S', 'M', 'L', 'MIX']
    for h in res['heads'].values():
        assert set(h) == {'micro_auc', 'macro_auc', 'rbdc', 'tbdc'}
    assert res['conventions']['head'] == 'MIX' and res['micro_auc'] == res['heads']['MIX']['micro_auc']
    assert (res['rbdc'], res['tbdc']) == (1.0, 1.0)      # GT boxes scored above the distractor box
    assert res['null_baseline'] == {'micro_auc': 0.5, 'macro_auc': 0.5}
    # v2 is all abnormal: skipped by default, counted as 1.0 under the official rule
    assert res['per_video_auc']['v2'] is None
    off = ev.evaluate_student_maps(ds, maps, dets, EvalConventions.official())
    assert off['heads_detail']['MIX']['null_baseline']['micro_auc'] > 0.5    # zero padding favours mid-video frames
    # frame scores without smoothing: a perfect ranking
    heads = ev.heads_from_maps(maps)
    rep = ev.evaluate_frame_scores(ds, {v: h['L'] for v, h in heads.items()}, EvalConventions(sigma=0))
    assert rep['micro_auc'] == 1.0
    kinds = ev.per_kind_auc(ds, {v: h['L'] for v, h in heads.items()}, EvalConventions(sigma=0))
    assert kinds['fast']['n_events'] == 2 and kinds['fast']['auc'] == 1.0 and kinds['bright']['auc'] == 1.0


def test_evaluate_object_scores_and_reference(tmp_path):
    ds = _tiny(tmp_path / 'tiny')
    obj = {}
    for r in ds.test:
        tr = read_tracks(r)
        obj[r.name] = {'frame': np.r_[tr[:, 1], [0]], 'boxes': np.r_[tr[:, 2:], [[30, 20, 40, 30]]],
                       'score': np.r_[np.ones(len(tr)), [.1]]}
    res = ev.evaluate_object_scores(ds, obj)
    assert (res['rbdc'], res['tbdc']) == (1.0, 1.0) and res['micro_auc'] > 0.8
    ref = ev.reference_scorer(ds)
    assert set(ref) == {'v0', 'v1', 'v2'} and all(len(v) == 40 for v in ref.values())
    assert ev.evaluate_frame_scores(ds, ref, EvalConventions(sigma=0))['micro_auc'] > 0.6


def test_no_tracks_gives_none(tmp_path):
    ds = _tiny(tmp_path / 'tiny', with_tracks=False)
    res = ev.evaluate_student_maps(ds, _maps_from_gt(ds, 0.2))
    assert res['rbdc'] is None and res['tbdc'] is None and res['notes']
    assert res['micro_auc'] is not None
