"""Prototype (diagnostic): distil student-base with `select_on_test=True`, but score every epoch under the DEFAULT
conventions (MIX micro AUC, per kind) instead of the official ones, and keep every epoch's averaged weights (STUDENT/epoch_states/). The training
trajectory is that of the same config without `select_on_test` (the test scoring touches no random number the training uses: its
loaders have their own generators, the student has no dropout), so the
log answers, post hoc, which epoch each selection rule (last, plain validation loss, focused validation loss) picks and
what it scores. Usage: python proto_selection.py SEED EXP ALPHA '{overrides}'"""
import sys, json, torch
from pathlib import Path
from fast_aed import pipeline, distill
from fast_aed.evaluate import heads_from_maps
from fast_aed.metrics import EvalConventions, frame_level_report
from fast_aed.data import read_labels
from proto_common import setup, teachers_of

seed = int(sys.argv[1]); exp = sys.argv[2]; alpha = float(sys.argv[3]); extra = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
if alpha: extra = {'kd_focus': alpha, **extra}
ds, work = setup(seed, 'select', exp)
teachers = teachers_of(extra)
dds = pipeline.distillation_dataset(ds, work, teachers, ('motion', None), (2, 3), log=print)
pipeline.build_maps(dds, work, teachers, normalisation='global_minmax')
labels = {r.name: read_labels(r) for r in ds.test}
out = work / 'student'; (out / 'epoch_states').mkdir(parents=True, exist_ok=True)
scores_file, last = out / 'epoch_scores.jsonl', out / 'last.pt'
done = torch.load(last, weights_only=True) if last.exists() else {}
n_done = done.get('epoch', 0) if done.get('phase') == 'kd' else 0   # resumed: keep the scores of the epochs the checkpoint holds
epochs = [json.loads(l) for l in open(scores_file)][:n_done] if scores_file.exists() else []
scores_file.write_text(''.join(json.dumps(e) + '\n' for e in epochs))

def score_epoch(model, config, _ds):
    "Default-convention MIX micro AUC of the test set (and per kind); keeps the epoch's weights."
    maps = distill.predict_maps(model, config, ds, split='test', quiet=True)
    heads = heads_from_maps(maps)
    mix = {v: h['MIX'] for v, h in heads.items()}
    auc = frame_level_report(mix, labels, EvalConventions())['micro_auc']
    kinds = pipeline.kind_report(ds, mix, EvalConventions())
    epochs.append({'epoch': len(epochs) + 1, 'auc': auc, 'kinds': {k: round(v, 3) for k, v in kinds.items()}})
    torch.save(distill._state_cpu(model), out / 'epoch_states' / f'epoch{len(epochs)}.pt')
    with open(scores_file, 'a') as f: f.write(json.dumps(epochs[-1]) + '\n')
    print('EPOCH', json.dumps(epochs[-1]), flush=True)
    return auc

distill._test_selection_score = score_epoch
cfg = distill.DistillConfig(**{'teachers': teachers, 'seed': seed, **extra, 'select_on_test': True})
ckpt = distill.train_student(dds, work, cfg)
ck = torch.load(ckpt, weights_only=True)
hist = [r for r in ck['history'] if r['phase'] == 'kd']
auc = {e['epoch']: e for e in epochs}
def pick(field):
    rows = [r for r in hist if r.get(field) is not None]
    return min(rows, key=lambda r: r[field])['epoch'] if rows else None
rules = {'last': len(hist), 'val_kd': pick('val_loss'), 'val_kd_focus': pick('val_kd_focus'), 'oracle': ck['selection']['epoch']}
row = {'seed': seed, 'exp': exp, 'alpha': alpha, 'extra': extra, 'student_seed': cfg.seed,
       'val_loss': [round(r['val_loss'], 5) for r in hist], 'val_kd_focus': [round(r['val_kd_focus'], 5) for r in hist if 'val_kd_focus' in r],
       'auc': [round(e['auc'], 4) for e in epochs] if len(epochs) == len(hist) else None,
       'rules': {k: {'epoch': e, 'auc': auc[e]['auc'] if e in auc else None, 'kinds': auc[e]['kinds'] if e in auc else None,
                     'val_loss': hist[e - 1]['val_loss'], 'val_kd_focus': hist[e - 1].get('val_kd_focus')} for k, e in rules.items() if e}}
print('RESULT', json.dumps(row), flush=True)
with open('/tmp/exp/select_results.jsonl', 'a') as f: f.write(json.dumps(row) + '\n')
