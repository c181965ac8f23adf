"""tools/analysis_tools/brain_similarity.py on the demo data: every key
written, the ceiling from the cache's split halves, and none without
them."""
import json
import os.path as osp
import shutil
import sys

import h5py
import numpy as np
import pytest

from mmbrain.apis.brain_similarity import (brain_similarity,
                                           split_half_ceiling)
from mmbrain.datasets.nsd import BrainCache
from mmbrain.utils import load_tool_config

TOOL = 'tools/analysis_tools/brain_similarity.py'
CONFIG = 'configs/encoding/demo/ridge_convnext_demo_random.py'
ROIS = ('prf-visualrois', 'floc-bodies', 'floc-faces', 'floc-places',
        'floc-words', 'streams')


def test_rsa_of_a_random_backbone(run_tool, small_demo_nsd, tmp_path,
                                  repo_root):
    options = [f'test_dataloader.dataset.data_root={small_demo_nsd}',
               'test_dataloader.dataset.subjects=[1]']
    out = tmp_path / 'rsa.json'
    proc = run_tool([sys.executable, TOOL, CONFIG, '--out', str(out),
                     '--cfg-options', *options], tmp_path)
    assert '10 of 10 test images scored' in proc.stdout
    metrics = json.loads(out.read_text())
    assert set(metrics) == {
        f'{key}/{roi}' for key in ('rsa', 'rsa_ceiling', 'rsa_normalised')
        for roi in ROIS} | {'rsa/mean', 'rsa_normalised/mean'}
    cache_file = f'{small_demo_nsd}/prepared/subj01.h5'
    with BrainCache(cache_file, ROIS) as cache:
        for roi in ROIS:  # the ceiling from the halves as stored
            rows = np.isin(cache.half_rows, np.flatnonzero(cache.shared1000))
            assert metrics[f'rsa_ceiling/{roi}'] == pytest.approx(
                split_half_ceiling(cache.halves(roi)[rows].astype(
                    np.float64))[1])
            assert -1 <= metrics[f'rsa/{roi}'] <= 1
            if metrics[f'rsa_ceiling/{roi}'] > 0:
                assert metrics[f'rsa_normalised/{roi}'] == pytest.approx(
                    metrics[f'rsa/{roi}'] / metrics[f'rsa_ceiling/{roi}'])

    # a cache without trials (as an Algonauts one): the raw score alone, on
    # every test image
    bare = tmp_path / 'bare'
    bare.mkdir()
    shutil.copy(cache_file, bare / 'subj01.h5')
    with h5py.File(bare / 'subj01.h5', 'r+') as f:
        del f['half_rows']
        for roi in f['rois']:
            del f[f'rois/{roi}/halves']
    cfg = load_tool_config(osp.join(repo_root, CONFIG), cfg_options=dict(
        test_dataloader=dict(dataset=dict(
            data_root=small_demo_nsd, subjects=[1], cache_dir=str(bare)))))
    without = brain_similarity(cfg)
    assert not without.ceiling
    without = without.metrics
    assert set(without) == set(metrics)
    for roi in ROIS:
        assert without[f'rsa/{roi}'] == pytest.approx(metrics[f'rsa/{roi}'])
        assert without[f'rsa_ceiling/{roi}'] is None
        assert without[f'rsa_normalised/{roi}'] is None
    assert without['rsa_normalised/mean'] is None
