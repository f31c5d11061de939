#!/usr/bin/env python3
"""PyTorch eager reference for the DJL step-time benchmark (bench/plpp).

Same model sizes as TinyClip.standard() in libs/plpp (D=64, 2 pre-LN causal blocks, 4 heads,
MLP x4, context 24, 4-conv CNN with channels 16/32/32/64, mean+max pooling) and the same step
shapes as io.trainledger.bench.plpp.PlppStepBench:
  pretrain : contrastive step, batch 128 images 3x20x20 + 128 captions of 18 tokens, AdamW
  coop     : 32 class prompts of 1+4+3+1 tokens through the text encoder, batch 32 precomputed
             image features, cross-entropy, SGD momentum
  plpp     : coop + L_ppl + L_ippl (top-k 5, whole-vocabulary softmax, tied head)
Weights are random: step time does not depend on their values.

Install (Debian 12): apt-get install -y --no-install-recommends python3-torch
Run:     python3 bench/plpp/reference.py --threads 1 --steps 200
         (bench/plpp/compare.py runs this and the DJL benchmark in the same run and prints the ratios)
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

V, D, L, H, FD, CH = 300, 64, 24, 4, 64, 16


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = nn.LayerNorm(D)
        self.qkv = nn.Linear(D, 3 * D)
        self.out = nn.Linear(D, D)
        self.ln2 = nn.LayerNorm(D)
        self.fc1 = nn.Linear(D, 4 * D)
        self.fc2 = nn.Linear(4 * D, D)

    def forward(self, x, mask):
        b, l, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).reshape(b, l, 3, H, D // H).permute(2, 0, 3, 1, 4)
        att = (q @ k.transpose(-1, -2) / math.sqrt(D // H) + mask[:l, :l]).softmax(-1)
        x = x + self.out((att @ v).transpose(1, 2).reshape(b, l, D))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


def map_norm(x):
    s = x.shape
    f = x.reshape(s[0], -1)
    f = (f - f.mean(1, keepdim=True))
    return (f / (f.pow(2).mean(1, keepdim=True) + 1e-5).sqrt()).reshape(s)


class TinyClip(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Parameter(torch.randn(V, D) * 0.02)
        self.pos = nn.Parameter(torch.randn(L, D) * 0.01)
        self.blocks = nn.ModuleList([Block(), Block()])
        self.lnf = nn.LayerNorm(D)
        self.tproj = nn.Parameter(torch.randn(D, FD) / math.sqrt(D))
        chans = [(3, CH, 1), (CH, 2 * CH, 2), (2 * CH, 2 * CH, 1), (2 * CH, 4 * CH, 2)]
        self.convs = nn.ModuleList([nn.Conv2d(i, o, 3, s, 1) for i, o, s in chans])
        self.iln = nn.LayerNorm(8 * CH)
        self.iproj = nn.Linear(8 * CH, FD)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
        self.register_buffer("mask", torch.triu(torch.full((L, L), -1e9), 1))

    def encode_text(self, emb, eos):
        x = emb + self.pos[: emb.shape[1]]
        for blk in self.blocks:
            x = blk(x, self.mask)
        h = self.lnf(x)
        return h, h[torch.arange(h.shape[0]), eos] @ self.tproj

    def encode_images(self, img):
        x = img - 0.5
        for i, c in enumerate(self.convs):
            x = c(x)
            if i > 0:
                x = map_norm(x)
            x = F.relu(x)
        f = x.flatten(2)
        return self.iproj(self.iln(torch.cat([f.mean(2), f.amax(2)], 1)))


CPU = {}


def timed(fn, steps, warmup, name):
    """Wall ms/step; the calling thread's CPU ms/step goes to CPU[name] (robust on a shared machine)."""
    for _ in range(warmup):
        fn()
    t0 = time.perf_counter()
    c0 = time.thread_time()
    for _ in range(steps):
        fn()
    CPU[name] = (time.thread_time() - c0) / steps * 1000
    return (time.perf_counter() - t0) / steps * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    a = ap.parse_args()
    print(json.dumps(measure(a.threads, a.steps, a.warmup)))


def measure(threads, steps, warmup):
    """One measurement of the three steps; returns wall and thread-CPU ms per step (as a dict)."""
    CPU.clear()
    a = argparse.Namespace(threads=threads, steps=steps, warmup=warmup)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = TinyClip()
    results = {"torch": torch.__version__, "threads": a.threads}

    # pretraining step
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.98), weight_decay=0.05)
    img = torch.rand(128, 3, 20, 20)
    toks = torch.randint(0, V, (128, 18))
    eos = torch.full((128,), 17)
    pos = (torch.rand(128, 128) < 0.05).float() + torch.eye(128)
    pos = pos.clamp(max=1)

    def pretrain_step():
        fi = F.normalize(model.encode_images(img), dim=-1)
        ft = F.normalize(model.encode_text(model.tok[toks], eos)[1], dim=-1)
        logits = fi @ ft.t() * model.logit_scale.clamp(0, math.log(100)).exp()
        neg = (pos - 1) * 1e9
        loss = ((logits.logsumexp(1) - (logits + neg).logsumexp(1)).mean()
                + (logits.t().logsumexp(1) - (logits.t() + neg.t()).logsumexp(1)).mean()) / 2
        opt.zero_grad(set_to_none=False)
        loss.backward()
        opt.step()
        return loss.item()

    results["pretrain_ms"] = timed(pretrain_step, max(10, a.steps // 4), 5, "pretrain")

    # prompt-learning steps: frozen backbone
    for p in model.parameters():
        p.requires_grad_(False)
    C, M, B = 32, 4, 32
    ctx = (model.tok[torch.tensor([5, 6, 7, 5])].clone()).requires_grad_(True)
    sos = model.tok[1].reshape(1, 1, D).expand(C, 1, D)
    suffix = model.tok[torch.randint(0, V, (C, 4))]
    eos_p = torch.full((C,), 1 + M + 3)
    feats = F.normalize(torch.randn(512, FD), dim=-1)
    labels = torch.randint(0, C, (512,))
    sgd = torch.optim.SGD([ctx], lr=0.002, momentum=0.9, weight_decay=5e-4)
    E = model.tok
    En = F.normalize(E, dim=-1)
    state = {"i": 0}

    def prompt_step(plpp):
        idx = torch.arange(state["i"] * B, state["i"] * B + B) % 512
        state["i"] += 1
        prompts = torch.cat([sos, ctx.unsqueeze(0).expand(C, M, D), suffix], 1)
        h, t = model.encode_text(prompts, eos_p)
        t = F.normalize(t, dim=-1)
        logits = feats[idx] @ t.t() * model.logit_scale.exp()
        loss = F.cross_entropy(logits, labels[idx] % C)
        if plpp:
            s = F.normalize(ctx, dim=-1) @ En.t()
            z = h[0, 0:M] @ E.t()
            with torch.no_grad():
                sv, si = s.topk(5, -1)
                q = torch.zeros_like(s).scatter_(1, si, (sv / 0.1).softmax(-1))
                p = z.softmax(-1)
                pv, pi = p.topk(5, -1)
                ph = torch.zeros_like(p).scatter_(1, pi, pv / pv.sum(-1, keepdim=True))
            lppl = -(q * z.log_softmax(-1)).sum() / M
            lippl = -(ph * (s / 0.1).log_softmax(-1)).sum() / M
            loss = loss + lppl + lippl
        sgd.zero_grad(set_to_none=False)
        loss.backward()
        sgd.step()
        return loss.item()

    results["coop_ms"] = timed(lambda: prompt_step(False), a.steps, a.warmup, "coop")
    results["plpp_ms"] = timed(lambda: prompt_step(True), a.steps, a.warmup, "plpp")
    results["plpp_over_coop"] = results["plpp_ms"] / results["coop_ms"]
    for k, v in CPU.items():
        results[k + "_cpu_ms"] = v
    results["plpp_over_coop_cpu"] = CPU["plpp"] / CPU["coop"]
    return results


if __name__ == "__main__":
    main()
