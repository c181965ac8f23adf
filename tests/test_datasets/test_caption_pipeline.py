"""The captions arm's data: NSDBrainDataset(captions_dir=), LoadCaption,
TokenizeCaption (open_clip's tokenizer, offline), and a batch without fMRI
through PackBrainInputs and BrainDataPreprocessor."""
import json
import os
import os.path as osp
import socket

import numpy as np
import pytest
import torch
from mmengine.dataset import default_collate, pseudo_collate

from mmbrain.datasets import NSDBrainDataset
from mmbrain.datasets.nsd import NSDFormatError, prepare_subject
from mmbrain.datasets.transforms import LoadCaption, TokenizeCaption
from mmbrain.models import BrainDataPreprocessor

# CLIP's byte-pair tokens of 'a red stop sign'
RED_STOP_SIGN = [49406, 320, 736, 1691, 2292, 49407]


@pytest.fixture(scope='module')
def nsd_root(mini_nsd, tmp_path_factory):
    """The mini NSD (nsdId n is cocoId 1000 + n, all train2017), prepared,
    with captions: nsdId n has n + 1 captions 'image n, caption k'."""
    root = mini_nsd.build(tmp_path_factory.mktemp('nsd'))
    for subject in (1, 2):
        prepare_subject(root, subject, osp.join(root, 'prepared'),
                        rois=mini_nsd.rois, progress=False,
                        allow_partial=True)
    ids = 1000 + np.arange(mini_nsd.num_images)
    anns = [dict(id=len(ids) * n + k, image_id=int(i),
                 caption=f'image {n}, caption {k}')
            for n, i in enumerate(ids) for k in range(n + 1)]
    folder = osp.join(root, 'coco', 'annotations')
    os.makedirs(folder)
    with open(osp.join(folder, 'captions_train2017.json'), 'w') as f:
        json.dump(dict(images=[dict(id=int(i)) for i in ids],
                       annotations=anns), f)
    return root


def pipeline(random=True, brain=False, context_length=16):
    return ([dict(type='LoadNSDImage')] +
            ([dict(type='LoadBrainResponses')] if brain else []) + [
                dict(type='LoadCaption', random=random),
                dict(type='TokenizeCaption', context_length=context_length),
                dict(type='PackBrainInputs')
            ])


def dataset(root, mini_nsd, **kwargs):
    kwargs.setdefault('pipeline', pipeline())
    return NSDBrainDataset(data_root=root, rois=mini_nsd.rois,
                           subjects=[1, 2], split='all', **kwargs)


def test_samples_carry_their_images_captions(nsd_root, mini_nsd):
    data = dataset(nsd_root, mini_nsd, captions_dir='coco/annotations')
    for i in range(len(data)):
        info = data.get_data_info(i)
        n = info['nsd_id']
        assert info['captions'] == [f'image {n}, caption {k}'
                                    for k in range(n + 1)]
    # off by default; an absolute folder works too
    assert 'captions' not in dataset(nsd_root,
                                     mini_nsd).get_data_info(0)
    absolute = dataset(nsd_root, mini_nsd, captions_dir=osp.join(
        nsd_root, 'coco', 'annotations'))
    assert absolute.get_data_info(0)['captions']


def test_a_missing_captions_folder_is_named(nsd_root, mini_nsd):
    with pytest.raises(NSDFormatError, match='file not found') as info:
        dataset(nsd_root, mini_nsd, captions_dir='nowhere')
    assert osp.join('nowhere', 'captions_train2017.json') in str(info.value)


def test_load_caption_draws_in_training_and_takes_the_first_in_test():
    results = dict(captions=['first', 'second', 'third'], nsd_id=4)
    np.random.seed(0)
    drawn = {LoadCaption()(dict(results))['caption'] for _ in range(60)}
    assert drawn == {'first', 'second', 'third'}
    assert {LoadCaption(random=False)(dict(results))['caption']
            for _ in range(5)} == {'first'}
    with pytest.raises(KeyError, match='captions_dir'):
        LoadCaption()(dict(nsd_id=4))


def test_tokenizer_is_clips_and_works_offline(monkeypatch):
    """A fresh tokenizer, with the hub offline and every socket refused:
    CLIP's vocabulary ships inside open_clip_torch."""
    monkeypatch.setenv('HF_HUB_OFFLINE', '1')

    def refuse(*args, **kwargs):
        raise OSError('no network in this test')

    monkeypatch.setattr(socket.socket, 'connect', refuse)
    tokens = TokenizeCaption(context_length=8)(
        dict(caption='a red stop sign'))['tokens']
    assert tokens.dtype == np.int64 and tokens.shape == (8, )
    assert tokens.tolist() == RED_STOP_SIGN + [0, 0]
    # cut to the context, still ending with <end>, the largest id
    long = TokenizeCaption(context_length=4)(
        dict(caption='a red stop sign'))['tokens']
    assert long.tolist() == RED_STOP_SIGN[:3] + [49407]
    assert long.argmax() == 3


def test_a_batch_without_fmri(nsd_root, mini_nsd):
    """Without LoadBrainResponses the samples hold no fmri/coords and the
    preprocessor pads none; the (N, L) tokens are stacked."""
    data = dataset(nsd_root, mini_nsd, captions_dir='coco/annotations',
                   pipeline=pipeline(random=False))
    samples = [data[i] for i in range(4)]
    for s in samples:
        assert 'fmri' not in s['data_samples']
        assert 'coords' not in s['data_samples']
        assert s['data_samples'].tokens.dtype == np.int64
    preprocessor = BrainDataPreprocessor(mean=[0.] * 3, std=[1.] * 3)
    for collate in (pseudo_collate, default_collate):
        inputs = preprocessor(collate(samples))['inputs']
        assert set(inputs) == {'img', 'tokens', 'subject'}
        assert inputs['tokens'].shape == (4, 16)
        assert inputs['tokens'].dtype == torch.int64
        for n, s in enumerate(samples):
            assert torch.equal(inputs['tokens'][n],
                               torch.from_numpy(s['data_samples'].tokens))


def test_captions_beside_the_fmri(nsd_root, mini_nsd):
    """Both loaded: the sample holds both, and the batch pads the fMRI as
    before."""
    data = dataset(nsd_root, mini_nsd, captions_dir='coco/annotations',
                   pipeline=pipeline(brain=True))
    samples = [data[i] for i in range(3)]
    inputs = BrainDataPreprocessor(mean=[0.] * 3, std=[1.] * 3)(
        pseudo_collate(samples))['inputs']
    assert {'img', 'fmri', 'coords', 'mask', 'tokens'} <= set(inputs)
    assert len(inputs['fmri']) == len(mini_nsd.rois)
