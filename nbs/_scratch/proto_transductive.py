"""Diagnostic, not a protocol: distil also on the TEST videos' teacher maps (no labels), to separate the student's capacity
from its generalisation to unseen kinds of anomaly. Usage: python proto_transductive.py SEED EXP '{overrides}'"""
import sys, json, time, dataclasses
from pathlib import Path
from fast_aed import pipeline
from proto_common import setup, distil_and_report, teachers_of

seed = int(sys.argv[1]); exp = sys.argv[2]; extra = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
ds, work = setup(seed, 'trans', exp)
dds = pipeline.distillation_dataset(ds, work, teachers_of(extra), ('motion', None), (2, 3), log=print)
dds = dataclasses.replace(dds, train=list(dds.train) + list(ds.test))   # records keep split='test', so their test maps are the targets
print('videos', len(dds.train), 'frames', sum(r.frames for r in dds.train))
distil_and_report(ds, dds, work, seed, extra, {'exp': exp, 'mode': 'transductive'}, Path('/tmp/exp/trans_results.jsonl'))
