"Integration tests of `fast_aed.distributed` under a real two-process torchrun job (gloo, CPU)."
import json, os, subprocess, sys, textwrap
import pytest

TOY = textwrap.dedent('''
    import json, sys, torch
    from fast_aed.distributed import *
    torch.set_num_threads(1)
    info = init_from_env(backend='gloo')
    torch.manual_seed(seed_for_rank(0, info) if sys.argv[1] == 'rankseed' else 0)  # 'rankseed': different inits per rank
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
    proc = subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', str(nproc),
                           str(path), *args, str(tmp_path)], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return [json.loads((tmp_path / f'rank{r}.json').read_text()) for r in range(nproc)]


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
            'from fast_aed.distributed import *; i = init_from_env(); print(i.enabled, i.world_size, shard([1,2,3], i))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ['False', '1', '[1,', '2,', '3]'], out.stderr
