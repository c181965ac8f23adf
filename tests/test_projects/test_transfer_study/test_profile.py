"""Study profiles: the real-scale profile's settings, its errors, and its
rehearsal end to end on a small demo layout through submitit's local
executor (every stage a job, fine-tunes only for the named run)."""
import json
import os.path as osp
import sys

import pytest

from mmbrain.datasets.demo import DemoSpec, make_demo_nsd
from mmbrain.datasets.nsd import layout, prepare_subject
from mmbrain.utils import ConfigError
from projects.transfer_study.transfer_study.hypotheses import (
    FROZEN_ENDPOINTS, H3_ENDPOINTS, JUDGED_ENDPOINTS)
from projects.transfer_study.transfer_study.profile import load_profile

PROFILE = 'projects/transfer_study/configs/profiles/nsd_convnext_s.py'


def test_the_real_scale_profile_and_its_rehearsal():
    real = load_profile(PROFILE)
    assert real['subjects'][-1] == 8 and len(real['arms']) == 8
    assert real['launcher'] == 'slurm' and real['finetune'] == [
        'random:0', 'recommended:0', 'shuffled:0']
    assert all('/demo/' not in c for c in real['downstream'].values())
    rehearsal = load_profile(PROFILE, rehearse=True)
    # the same arms, each by its demo twin
    assert list(rehearsal['arms']) == list(real['arms'])
    assert all('/demo/' in c for c in rehearsal['arms'].values() if c)
    assert rehearsal['slurm']['cluster'] == 'local'


def test_profile_errors(tmp_path):
    with pytest.raises(ConfigError, match='no such profile'):
        load_profile('none.py')
    with pytest.raises(ConfigError, match='needs a --profile'):
        load_profile(None, rehearse=True)
    bad = tmp_path / 'bad.py'
    bad.write_text('seed = [0]\n')
    with pytest.raises(ConfigError, match=r"unknown keys \['seed'\]"):
        load_profile(str(bad), root='/')
    bad.write_text("arms = dict(a='configs/none.py')\n")
    with pytest.raises(ConfigError, match='no config configs/none.py'):
        load_profile(str(bad), root='/')
    with pytest.raises(ConfigError, match='no rehearsal section'):
        load_profile(str(bad), rehearse=True, root='/')
    assert load_profile(None)['seeds'] == [0, 1, 2]


@pytest.fixture(scope='module')
def two_subject_demo(tmp_path_factory, run_tool):
    """A small demo of two prepared subjects with its COCO annotations
    without NSD images."""
    root = str(tmp_path_factory.mktemp('profile_demo'))
    make_demo_nsd(root, DemoSpec(num_subjects=2, num_shared=10, num_own=40,
                                 num_unseen=2, num_downstream=8))
    for subject in (1, 2):
        prepare_subject(root, subject, osp.join(root, 'prepared'),
                        progress=False, allow_partial=True,
                        rois=layout.ROI_GROUPS + ('nsdgeneral', ))
    run_tool([sys.executable, 'tools/dataset_converters/coco_exclude_nsd.py',
              osp.join(root, 'coco', 'annotations'),
              layout.stim_info_path(root)])
    return root


def test_the_rehearsal_runs_end_to_end(two_subject_demo, run_tool,
                                       tmp_path):
    work_dir = tmp_path / 'study'
    proc = run_tool([
        sys.executable, 'projects/transfer_study/tools/transfer_study.py',
        '--profile', PROFILE, '--rehearse', '--data-root', two_subject_demo,
        '--subjects', '1', '2', '--jobs', '2', '--arms', 'random',
        'labels=configs/pretrain/demo/labels_convnext_demo.py'
    ], work_dir)
    study = json.loads((work_dir / 'study.json').read_text())
    random, labels = (study['runs'][a]['0'] for a in ('random', 'labels'))
    # every frozen endpoint for both (the normalised RSA needs a positive
    # split-half ceiling in every ROI, which 10 test images need not give);
    # the fine-tunes for random:0 alone
    assert all(run[m] is not None for run in (random, labels)
               for m in FROZEN_ENDPOINTS if m != 'rsa_normalised/mean')
    assert random['APbox'] is not None and random['mIoU'] is not None
    assert labels['APbox'] is None and labels['mIoU'] is None
    assert study['finetune'] == ['random:0']
    # one seed: the gate is the mean gain against each margin, on every
    # endpoint both arms have
    assert set(study['gate']) == {
        m for m in JUDGED_ENDPOINTS + H3_ENDPOINTS
        if random[m] is not None and labels[m] is not None}
    assert set(study['gate']) >= set(H3_ENDPOINTS) - {'rsa_normalised/mean'}
    assert 'validity gate' in proc.stdout
    # each stage was a job of submitit's local executor
    assert (work_dir / 'slurm').is_dir()
    assert (work_dir / 'study.png').stat().st_size > 0
