"""Prototype: distil also on an unlabeled 'archive' of the same cameras, i.e. extra videos of the benchmark's scenes that
contain events (rendered with the test videos' plan of event kinds, other seeds), scored by the teachers; no labels are
read. The test videos are not used for training. Usage: python proto_archive.py SEED EXP '{overrides}'"""
import sys, json, dataclasses
from pathlib import Path
from fast_aed import pipeline, synth
from fast_aed.data import DatasetWriter, load_dataset
from proto_common import setup, distil_and_report, teachers_of

seed = int(sys.argv[1]); exp = sys.argv[2]; extra = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
ds, work = setup(seed, 'archive', exp)
out = work / 'archive' / 'data'
if not (out / 'dataset.json').exists():
    plan = synth.plan_benchmark('standard', seed)
    p = synth.SynthPreset(**plan['preset'])
    scenes = {s['index']: synth.make_scene(s['layout'], s['seed']) for s in plan['scenes']}
    tests = [v for v in plan['videos'] if v['split'] == 'test']
    with DatasetWriter(out, overwrite=True) as w:
        for i, v in enumerate(tests):   # same scenes and kinds of event as the test videos, other seeds
            av = {**v, 'split': 'train', 'name': f"arch_{v['name']}", 'seed': synth._subseed(seed, 9, v['scene'], i)}
            sc, actors, planned = synth.stage_video(plan, av, scenes[v['scene']])
            frames, _ = synth.render_video(sc, actors, p.frames, synth._subseed(av['seed'], 7))
            w.add_video('train', av['name'], frames, n_frames=p.frames, extra=dict(scene=v['scene'], layout=sc.layout))
        w.finish(f'{ds.name}-archive', fps=p.fps, channels='bgr', source={'kind': 'archive', 'seed': seed})
ads = load_dataset(out)
adets = pipeline.run_detection(ads, work, 'motion', None, splits=('train',))
for t in teachers_of(extra): pipeline.score_teacher(ads, work, t, adets, splits=('train',))
dds = pipeline.distillation_dataset(ds, work, teachers_of(extra), ('motion', None), (2, 3), log=print)
dds = dataclasses.replace(dds, train=list(dds.train) + list(ads.train))
print('videos', len(dds.train), 'frames', sum(r.frames for r in dds.train), flush=True)
distil_and_report(ds, dds, work, seed, extra, {'exp': exp, 'mode': 'archive'}, Path('/tmp/exp/archive_results.jsonl'))
