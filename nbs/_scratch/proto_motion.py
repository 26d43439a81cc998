"""Prototype (stop 21): more varied normal motion on the spot in the student's training set. Renders N extra NORMAL
videos of the benchmark's scenes (other seeds) whose pedestrians often stop and gesture, wave, turn around or chat in
pairs, lets the detector and teacher B score them and their sped-up copies (x2, x3: there the gestures become fast
motion on the spot), and distils student-base (best of K) on the default set plus these videos. The teachers, the test
videos and the evaluation are the reproduce cache's, unchanged; no label is read for training.
Usage: python proto_motion.py SEED EXP [N_VIDEOS] ['{overrides}'] [spot|plain]"""
import sys, json, math, dataclasses, time
from pathlib import Path
import numpy as np
from fast_aed import pipeline, synth
from fast_aed.data import DatasetWriter, load_dataset
from proto_common import setup, teachers_of, evaluate_and_record

RESULTS = Path('/tmp/exp/motion_results.jsonl')


def on_the_spot(rng, t_p, dur, kind, j=0):
    "Pose function of a normal pedestrian who stands still from `t_p` for `dur` frames doing `kind` (slow motion only)."
    rate, w = rng.uniform(0.12, 0.3), rng.uniform(0, 100, 6).tolist()
    flips = np.cumsum(rng.uniform(8, 30, 8)) + t_p
    def pose(t, st):
        if not t_p <= t < t_p + dur: return None
        tt = t - t_p
        if kind == 'gesture':   # talking with the hands, weight shifting
            return dict(mode='fight', ft=float(rate * tt), fseed=w, x=st['x'] + 0.03 * st['h'] * math.sin(0.2 * rate * tt + w[5]),
                        face=st['face'] * (-1 if j else 1))
        if kind == 'wave':      # one arm up and down, slowly
            return dict(mode='throw', arm=float(1.3 + 1.1 * math.sin(rate * tt + w[0])))
        if kind == 'turn':      # looking around: turns back and forth
            return dict(mode='stand', face=st['face'] * (-1) ** int(np.searchsorted(flips, t)))
        return dict(mode='stand')
    return pose


def group_on_the_spot(self, route, t):
    "Like `synth._Sim.group`, with more pedestrians (and pairs) who stop and move on the spot for a while."
    rng = self.rng
    n = 1 if rng.random() < 0.7 else int(rng.integers(2, 4))
    v = synth.WALK_SPEED * rng.uniform(0.8, 1.25)
    u0 = rng.uniform(-0.55, 0.55 - 0.35 * (n - 1))
    t_p = t + rng.uniform(0.25, 0.75) * len(route) / v; dur = rng.uniform(30, 100)
    kind = str(rng.choice(['walk', 'stand', 'gesture', 'wave', 'turn'], p=[0.3, 0.05, 0.25, 0.2, 0.2]) if n == 1
               else rng.choice(['walk', 'gesture'], p=[0.3, 0.7]))
    mult = None if kind == 'walk' else (lambda tt: 0. if t_p <= tt < t_p + dur else 1.)
    for k in range(n):
        a = self.new_actor('person')
        pose = None if kind == 'walk' else on_the_spot(rng, t_p, dur, kind, k % 2)
        traj = synth._offset_traj(self.scene, route, u0 + 0.35 * k + rng.uniform(-0.05, 0.05))
        s = synth._walk_schedule(traj, self.scene.camera, 0., t, max(t, 0), self.T, v * rng.uniform(0.98, 1.02), mult)
        if k: s = s - rng.uniform(0, 6); s[s < 0] = np.nan
        synth._person_states(a, traj, self.scene.camera, s, max(t, 0), pose=pose)


def render_extra(out: Path, seed: int, n: int, crowd: str = 'spot'):
    "N normal videos of the benchmark's scenes (other seeds than the benchmark's) with the on-the-spot crowd ('spot') or the benchmark's own ('plain', the control)."
    plan = synth.plan_benchmark('standard', seed); p = synth.SynthPreset(**plan['preset'])
    scenes = {s['index']: synth.make_scene(s['layout'], s['seed']) for s in plan['scenes']}
    original = synth._Sim.group
    if crowd == 'spot': synth._Sim.group = group_on_the_spot
    try:
        with DatasetWriter(out, overwrite=True) as w:
            for i in range(n):
                sc_i = i % len(scenes)
                vseed = synth._subseed(seed, 11, sc_i, i)
                actors, _ = synth.simulate_video(scenes[sc_i], p.frames, vseed, p.density)
                frames, _ = synth.render_video(scenes[sc_i], actors, p.frames, synth._subseed(vseed, 7))
                w.add_video('train', f'{crowd}_{sc_i + 1:02d}_{i:03d}', frames, n_frames=p.frames, extra=dict(scene=sc_i))
            w.finish(f'synthetic-standard-seed{seed}-{crowd}', fps=p.fps, channels='bgr', source={'kind': f'extra normal videos, {crowd} crowd', 'seed': seed})
    finally: synth._Sim.group = original


if __name__ == '__main__':
    seed, exp = int(sys.argv[1]), sys.argv[2]
    n_videos = int(sys.argv[3]) if len(sys.argv) > 3 else 6
    extra = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {'best_of': 2}
    crowd = sys.argv[5] if len(sys.argv) > 5 else 'spot'
    ds, work = setup(seed, 'motion', exp)
    out = work / 'extra' / 'data'
    if not (out / 'dataset.json').exists(): render_extra(out, seed, n_videos, crowd)
    sds = load_dataset(out)
    teachers = teachers_of(extra)
    sdets = pipeline.run_detection(sds, work, 'motion', None, splits=('train',))
    for t in teachers: pipeline.score_teacher(sds, work, t, sdets, splits=('train',))
    fsds = pipeline.speedup_dataset(sds, work / 'extra_speedup' / 'data', (2, 3), (), seed)
    fdets = pipeline.run_detection(fsds, work, 'motion', None, splits=('train',))
    for t in teachers: pipeline.score_teacher(fsds, work, t, fdets, splits=('train',))
    dds = pipeline.distillation_dataset(ds, work, teachers, ('motion', None), (2, 3), log=print)
    dds = dataclasses.replace(dds, train=list(dds.train) + list(sds.train) + list(fsds.train))
    print('videos', len(dds.train), 'frames', sum(r.frames for r in dds.train), flush=True)
    from fast_aed.distill import DistillConfig, train_student
    pipeline.build_maps(dds, work, teachers, normalisation='global_minmax')
    cfg = DistillConfig(**{'teachers': teachers, 'seed': seed, **{k: v for k, v in extra.items() if k != 'teachers'}})
    t0 = time.time(); train_student(dds, work, cfg); train_s = time.time() - t0; print('train', train_s, flush=True)
    import torch
    record = torch.load(work / 'student' / 'student.pt', map_location='cpu', weights_only=True).get('best_of')
    # with best_of, every candidate (the chosen one is WORK/student/student.pt's model); else the single run
    ckpts = [work / 'student' / c['checkpoint'] for c in record['candidates']] if record else [None]
    for ck in ckpts:
        evaluate_and_record(ds, work, ck, {'seed': seed, 'exp': exp, 'crowd': crowd, 'n_videos': n_videos, 'extra': extra,
                                           'checkpoint': str(ck.relative_to(work)) if ck else 'student/student.pt', 'train_s': round(train_s),
                                           'chosen': record and record['candidates'][record['chosen']]['checkpoint'],
                                           'val_kd': record and [round(c['val_kd'], 4) for c in record['candidates']]}, RESULTS)
