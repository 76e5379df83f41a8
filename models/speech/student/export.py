"""Stage 4: ONNX export (opset 17, log-mel front end inside the graph) and int8 weight quantization.

Quantization is weight-only: every Conv/MatMul weight with >= 256 values becomes an int8 initializer with a
per-output-channel float scale and a DequantizeLinear node (symmetric, zero point 0), written with the onnx API;
onnxruntime(-node) runs it as is. The mel filterbank stays float32 so the front end is exactly the training one.
"""
from __future__ import annotations

import copy

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

from .model import Student, WaveModel


def fuse_bn(conv: torch.nn.Conv1d, bn: torch.nn.BatchNorm1d) -> torch.nn.Conv1d:
    w = conv.weight.detach()
    b = conv.bias.detach() if conv.bias is not None else torch.zeros(w.shape[0])
    s = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
    fused = copy.deepcopy(conv)
    fused.weight = torch.nn.Parameter(w * s.view(-1, 1, 1))
    fused.bias = torch.nn.Parameter((b - bn.running_mean) * s + bn.bias.detach())
    return fused


def fused_copy(student: Student) -> Student:
    m = copy.deepcopy(student).eval()
    m.inp = fuse_bn(m.inp, m.bn0)
    m.bn0 = torch.nn.Identity()
    for blk in m.blocks:
        blk.pw = fuse_bn(blk.pw, blk.bn)
        blk.bn = torch.nn.Identity()
    return m


def export_onnx(student: Student, path: str):
    model = WaveModel(fused_copy(student)).eval()
    dummy = torch.zeros(1, 16000)
    torch.onnx.export(model, dummy, path, opset_version=17, input_names=['audio'], output_names=['logprobs'],
                      dynamic_axes={'audio': {0: 'batch', 1: 'samples'}, 'logprobs': {0: 'batch', 1: 'frames'}},
                      do_constant_folding=False)
    m = onnx.load(path)
    if not replace_dft_constant(m):
        raise RuntimeError('DFT table not found in the exported graph')
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return model


def _dft_nodes(out_name: str, prefix: str = 'dft_') -> tuple[list, list]:
    """ONNX nodes computing LogMel.dft_basis() (same integer-mod formula) into out_name."""
    c = lambda name, v: numpy_helper.from_array(np.array(v), prefix + name)
    inits = [c('zero', np.int64(0)), c('one', np.int64(1)), c('win', np.int64(400)), c('nbin', np.int64(257)),
             c('nfft', np.int64(512)), c('kshape', np.array([257, 1], np.int64)), c('half', np.float32(0.5)),
             c('wstep', np.float32(2 * np.pi / 400)), c('astep', np.float32(2 * np.pi / 512)),
             c('axis1', np.array([1], np.int64))]
    p = lambda s: prefix + s
    nodes = [
        helper.make_node('Range', [p('zero'), p('win'), p('one')], [p('n')]),
        helper.make_node('Range', [p('zero'), p('nbin'), p('one')], [p('k0')]),
        helper.make_node('Reshape', [p('k0'), p('kshape')], [p('k')]),
        helper.make_node('Mul', [p('k'), p('n')], [p('kn')]),
        helper.make_node('Mod', [p('kn'), p('nfft')], [p('knm')]),
        helper.make_node('Cast', [p('knm')], [p('knf')], to=onnx.TensorProto.FLOAT),
        helper.make_node('Mul', [p('knf'), p('astep')], [p('ang')]),
        helper.make_node('Cast', [p('n')], [p('nf')], to=onnx.TensorProto.FLOAT),
        helper.make_node('Mul', [p('nf'), p('wstep')], [p('wang')]),
        helper.make_node('Cos', [p('wang')], [p('wcos')]),
        helper.make_node('Mul', [p('wcos'), p('half')], [p('wcos2')]),
        helper.make_node('Sub', [p('half'), p('wcos2')], [p('window')]),
        helper.make_node('Cos', [p('ang')], [p('cos')]),
        helper.make_node('Sin', [p('ang')], [p('sin')]),
        helper.make_node('Neg', [p('sin')], [p('nsin')]),
        helper.make_node('Mul', [p('cos'), p('window')], [p('cosw')]),
        helper.make_node('Mul', [p('nsin'), p('window')], [p('sinw')]),
        helper.make_node('Concat', [p('cosw'), p('sinw')], [p('basis2d')], axis=0),
        helper.make_node('Unsqueeze', [p('basis2d'), p('axis1')], [out_name]),
    ]
    return inits, nodes


def replace_dft_constant(m: onnx.ModelProto) -> bool:
    """Swaps the traced (514, 1, 400) DFT table (a Constant node or initializer) for the nodes that compute it."""
    g = m.graph
    for node in list(g.node):
        if node.op_type == 'Constant':
            t = numpy_helper.to_array(node.attribute[0].t) if node.attribute[0].type == onnx.AttributeProto.TENSOR else None
            if t is not None and t.shape == (514, 1, 400):
                inits, nodes = _dft_nodes(node.output[0])
                idx = list(g.node).index(node)
                g.node.remove(node)
                for j, n in enumerate(nodes):
                    g.node.insert(idx + j, n)
                g.initializer.extend(inits)
                return True
    for init in list(g.initializer):
        if tuple(init.dims) == (514, 1, 400):
            inits, nodes = _dft_nodes(init.name)
            g.initializer.remove(init)
            g.initializer.extend(inits)
            for j, n in enumerate(nodes):
                g.node.insert(j, n)
            return True
    return False


def quantize_weights(src: str, dst: str, min_size: int = 256) -> dict:
    m = onnx.load(src)
    g = m.graph
    replace_dft_constant(m)  # already done by export_onnx; kept for files exported elsewhere
    users = {}
    for node in g.node:
        for i, name in enumerate(node.input):
            users.setdefault(name, []).append((node.op_type, i))
    new_inits, new_nodes, stats = [], [], {'quantized': 0, 'kept_float': 0}
    for init in g.initializer:
        w = numpy_helper.to_array(init)
        use = users.get(init.name, [])
        is_weight = use and all(op in ('Conv', 'MatMul', 'Gemm') and i == 1 for op, i in use) and w.ndim >= 2
        # The front end (mel filterbank, envelope smoother) stays float: it is the training front end exactly.
        if not is_weight or w.size < min_size or 'melfb' in init.name or 'smooth' in init.name:
            new_inits.append(init)
            stats['kept_float'] += int(w.size)
            continue
        axis = 0 if use[0][0] == 'Conv' else w.ndim - 1  # output channels
        red = tuple(d for d in range(w.ndim) if d != axis)
        scale = np.maximum(np.abs(w).max(axis=red), 1e-12) / 127.0
        shape = [1] * w.ndim
        shape[axis] = -1
        q = np.clip(np.round(w / scale.reshape(shape)), -127, 127).astype(np.int8)
        qn, sn, zn = init.name + '_int8', init.name + '_scale', init.name + '_zero'
        new_inits += [numpy_helper.from_array(q, qn), numpy_helper.from_array(scale.astype(np.float32), sn),
                      numpy_helper.from_array(np.zeros(scale.shape, np.int8), zn)]
        new_nodes.append(helper.make_node('DequantizeLinear', [qn, sn, zn], [init.name], axis=axis,
                                          name=init.name + '_dequant'))
        stats['quantized'] += int(w.size)
    del g.initializer[:]
    g.initializer.extend(new_inits)
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(new_nodes + nodes)
    onnx.checker.check_model(m)
    onnx.save(m, dst)
    return stats


def fake_quant_student(student: Student, min_size: int = 256) -> Student:
    """The int8 model's arithmetic in torch: fused weights replaced by their dequantized int8 values."""
    m = fused_copy(student)
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, torch.nn.Conv1d) and mod.weight.numel() >= min_size:
                w = mod.weight
                scale = w.abs().amax(dim=(1, 2), keepdim=True).clamp_min(1e-12) / 127.0
                mod.weight.copy_(torch.clamp(torch.round(w / scale), -127, 127) * scale)
    return m
