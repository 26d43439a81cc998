"Integration tests of `fast_aed.distributed` under a real two-process torchrun job (gloo, CPU)."
import json, os, subprocess, sys, textwrap
import pytest

TOY = textwrap.dedent('''
    import json, sys, torch
    from fast_aed.distributed import *
    torch.set_num_threads(1)
    info = init_from_env(backend='gloo')
    # 'rankseed': different inits per rank
    torch.manual_seed(seed_for_rank(0, info) if sys.argv[1] == 'rankseed' else 0)
    model = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    init = [p.detach().clone() for p in model.parameters()]
    ddp = wrap_ddp(model, info)
    opt = torch.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
    g = torch.Generator().manual_seed(1)
    X, Y = torch.randn(16, 6, generator=g), torch.randn(16, 1, generator=g)
    idx = shard(range(16), info)  # each rank: half of the same global batch
    grads = []
    for step in range(5):
        opt.zero_grad(); torch.nn.functional.mse_loss(ddp(X[idx]), Y[idx]).backward()
        grads.append([p.grad.clone() for p in ddp.parameters()]); opt.step()
    # single-process reference on the full global batch, starting from rank 0's initial weights
    ref = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    with torch.no_grad():
        for p, q in zip(ref.parameters(), broadcast_object(init, info)): p.copy_(q)
    ropt = torch.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
    rgrads = []
    for step in range(5):
        ropt.zero_grad(); torch.nn.functional.mse_loss(ref(X), Y).backward()
        rgrads.append([p.grad.clone() for p in ref.parameters()]); ropt.step()
    flat = lambda ps: torch.cat([p.detach().flatten() for p in ps])
    params = all_gather_object(flat(unwrap(ddp).parameters()), info)
    g_all = all_gather_object([flat(gs) for gs in grads], info)
    res = {"rank": info.rank, "world": info.world_size, "backend": info.backend, "shard": idx,
           "param_diff_across_ranks": max((params[0] - p).abs().max().item() for p in params),
           "grad_diff_across_ranks": max((a - b).abs().max().item() for gs in g_all for a, b in zip(g_all[0], gs)),
           "param_diff_vs_single": (params[info.rank] - flat(ref.parameters())).abs().max().item(),
           "grad_diff_vs_single": max((flat(a) - flat(b)).abs().max().item() for a, b in zip(grads, rgrads)),
           "moved": (flat(unwrap(ddp).parameters()) - flat(init)).abs().max().item(),
           "gathered": gather_shards({f"item{i}": info.rank for i in idx}, info),
           "mean_rank": reduce_mean(info.rank, info)}
    barrier(info)
    open(f"{sys.argv[2]}/rank{info.rank}.json", "w").write(json.dumps(res))
    cleanup(info)
''')


def torchrun(script, *args, nproc=2, tmp_path=None):
    "Run `script` under `torchrun --standalone`; return the result each rank wrote to `tmp_path/rank<r>.json`."
    path = tmp_path / 'toy.py'
    path.write_text(script)
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    results = [tmp_path / f'rank{r}.json' for r in range(nproc)]
    for attempt in range(3):
        launch = [sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', str(nproc)]
        proc = subprocess.run([*launch, str(path), *args, str(tmp_path)], capture_output=True, text=True, timeout=300,
                              env=env)
        # Seen once under heavy CPU load (2026-12-03): every rank had written its result, then one aborted in the C++
        # runtime while the process exited ("terminate called without an active exception", SIGABRT). That
        # teardown abort alone is retried, from scratch, up to twice (on 2026-12-03 it aborted on both tries with four
        # processes on the two cores); any other failure fails at once.
        aborted = 'terminate called without an active exception' in proc.stdout + proc.stderr
        teardown_abort = proc.returncode != 0 and aborted and all(p.exists() for p in results)
        if not teardown_abort or attempt == 2:
            break
        for p in results:
            p.unlink()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return [json.loads(p.read_text()) for p in results]


def test_ddp_two_ranks_match_single_process(tmp_path):
    res = torchrun(TOY, 'same', tmp_path=tmp_path)
    assert [r['rank'] for r in res] == [0, 1] and all(r['world'] == 2 and r['backend'] == 'gloo' for r in res)
    assert res[0]['shard'] == list(range(0, 16, 2)) and res[1]['shard'] == list(range(1, 16, 2))
    for r in res:
        assert r['moved'] > 1e-3  # training changed the weights
        assert r['param_diff_across_ranks'] == 0.0 and r['grad_diff_across_ranks'] == 0.0
        assert r['grad_diff_vs_single'] < 1e-5 and r['param_diff_vs_single'] < 1e-5, r
        assert r['gathered'] == {f'item{i}': i % 2 for i in range(16)}
        assert r['mean_rank'] == 0.5


def test_ddp_broadcasts_rank0_weights(tmp_path):
    "Different initial weights per rank: DDP starts everyone from rank 0's, so the runs still agree."
    res = torchrun(TOY, 'rankseed', tmp_path=tmp_path)
    for r in res:
        assert r['param_diff_across_ranks'] == 0.0 and r['param_diff_vs_single'] < 1e-5, r


def test_single_process_without_torchrun():
    code = ('import os; [os.environ.pop(k, None) for k in ("RANK", "WORLD_SIZE")]\n'
            'from fast_aed.distributed import *; i = init_from_env(); print(i.enabled, i.world_size, shard([1,2,3], '
            'i))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ['False', '1', '[1,', '2,', '3]'], out.stderr


# --- `fast-aed train` under torchrun: auto-encoder pre-training, then distillation, on two CPU ranks ----------------
TRAIN = {"input_size": [64, 48], "width": 4, "n_down": 2, "depth": 1, "heads": 1, "dim_head": 8, "batch_size": 16,
         "frame_stride": 4, "val_fraction": 0.2, "ae_epochs": 1, "epochs": 1}


@pytest.fixture(scope='module')
def bench(tmp_path_factory):
    "The tiny synthetic benchmark with maps of two fake teachers (random boxes and scores; tests only)."
    import numpy as np
    from fast_aed.synth import render_benchmark
    from fast_aed.data import load_dataset
    from fast_aed.core import save_npz
    from fast_aed.maps import build_teacher_maps, scores_path
    data = render_benchmark(tmp_path_factory.mktemp('ddp') / 'data', 'tiny', seed=0)
    ds = load_dataset(data)
    for i, t in enumerate('AB'):
        g = np.random.default_rng(i)
        for r in ds.train + ds.test:
            xy = g.uniform(0, [r.width - 30, r.height - 40], (2 * r.frames, 2))
            save_npz(scores_path(data / 'work', t, r.split, r.name),
                     frame=np.repeat(np.arange(r.frames), 2).astype(np.int32),
                     boxes=np.concatenate([xy, xy + [20, 40]], 1).astype(np.float32),
                     score=g.normal(size=2 * r.frames).astype(np.float32))
        build_teacher_maps(ds, data / 'work', t, quiet=True)
    return data


def torchrun_train(data, work, config, timeout=180):
    "`torchrun --standalone --nproc_per_node 2 -m fast_aed.cli train`; a hang is stopped after `timeout` s and fails."
    import shutil, signal
    if not (work / 'maps').exists():
        shutil.copytree(data / 'work' / 'maps', work / 'maps')
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'FAST_AED_QUIET': '1'}
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '2', '-m', 'fast_aed.cli',
           'train', str(data), '--work', str(work), '--config', json.dumps(config)]
    log_out, log_err = work.parent / 'torchrun.out', work.parent / 'torchrun.err'
    # files, not pipes: a stray worker cannot block the reader
    with open(log_out, 'w') as fo, open(log_err, 'w') as fe:
        proc = subprocess.Popen(cmd, stdout=fo, stderr=fe, env=env, start_new_session=True)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGTERM)   # torchrun stops its workers (they run in sessions of their own)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            pytest.fail(f'two-process training did not finish in {timeout} s '
                        f'(deadlock?)\n{log_err.read_text()[-3000:]}')
    out, err = log_out.read_text(), log_err.read_text()
    assert proc.returncode == 0, out[-3000:] + err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def test_torchrun_train_with_ae_pretraining(bench, tmp_path):
    "Both phases finish on two ranks (this once deadlocked after pre-training); a rerun reuses the checkpoint on each."
    import torch
    from fast_aed.distill import load_student
    work = tmp_path / 'work'
    res = torchrun_train(bench, work, TRAIN)
    ckpt = work / 'student' / 'student.pt'
    assert res['checkpoint'] == str(ckpt) and res['epochs'] == 1 and res['selection']['criterion'] == 'val_kd'
    ck = torch.load(ckpt, weights_only=True)
    assert ck['complete'] and ck['transferred_from_ae'] > 0 and ck['manifest']['versions']['torch']
    assert [(r['phase'], r['epoch']) for r in ck['history']] == [('ae', 1), ('kd', 1)]
    assert all(r['val_loss'] is not None for r in ck['history'])
    assert (work / 'student' / 'ae.pt').exists()
    model, cfg = load_student(ckpt)
    assert cfg.pretraining == 'ae' and cfg.input_size == (64, 48)
    with torch.no_grad():
        out = model(torch.zeros(1, 9, 48, 64))
    assert set(out) == {1, 4, 16}
    mtime = ckpt.stat().st_mtime_ns
    torchrun_train(bench, work, TRAIN)   # up to date: every rank returns at once
    assert ckpt.stat().st_mtime_ns == mtime


def test_torchrun_train_with_an_empty_validation_shard(bench, tmp_path):
    "One held-out frame for two ranks: rank 1's validation shard is empty, yet both ranks reach every collective."
    import torch
    # one frame per video
    cfg = {**TRAIN, 'val_split': 'video', 'frame_stride': 64, 'pretraining': 'masked_ae', 'teachers': ['A', 'B']}
    res = torchrun_train(bench, tmp_path / 'work', cfg)
    ck = torch.load(res['checkpoint'], weights_only=True)
    assert ck['validation']['n_val'] == 1 and [r['phase'] for r in ck['history']] == ['ae', 'kd']
    assert all(r['val_loss'] is not None and r['val_loss'] > 0 for r in ck['history'])
    per_map = {f'val_{t}/{s}' for t in 'AB' for s in (1, 4, 16)}
    assert set(k for k in ck['history'][1] if k.startswith('val_')) == {'val_loss'} | per_map
