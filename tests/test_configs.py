"""Every config under configs/pretrain builds its model; the paper ones at
full size."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from mmbrain.datasets.nsd import layout
from mmbrain.registry import MODELS
from mmbrain.utils import register_all_modules

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def configs(task):
    """Every config under configs/<task>, demo ones included."""
    return sorted(
        glob.glob(osp.join(ROOT, 'configs', task, '**', '*.py'),
                  recursive=True))


PRETRAIN = configs('pretrain')
MASK_RCNN = configs('mask_rcnn')
UPERNET = configs('upernet')


@pytest.fixture(scope='module')
def downstream_backbone():
    """``downstream_backbone(path)``: the image backbone of a Mask R-CNN
    or UperNet config's model, built once per config."""
    from mmdet.registry import MODELS as MMDET_MODELS
    from mmengine.registry import DefaultScope
    from mmseg.registry import MODELS as MMSEG_MODELS
    built = {}

    def build(path):
        if path not in built:
            scope, registry = (('mmdet', MMDET_MODELS) if path in MASK_RCNN
                               else ('mmseg', MMSEG_MODELS))
            with DefaultScope.overwrite_default_scope(scope):
                built[path] = registry.build(
                    Config.fromfile(path).model).backbone
        return built[path]

    return build


@pytest.mark.parametrize('path', PRETRAIN, ids=osp.basename)
def test_pretrain_config_builds(path, downstream_backbone):
    """Builds; its exported backbone fills every backbone tensor of the
    Mask R-CNN and UperNet configs of its architecture (no missing or
    unexpected key), and the paper's settings hold at full size."""
    from mmbrain.engine.hooks import backbone_checkpoint
    register_all_modules()
    cfg = Config.fromfile(path)
    model = MODELS.build(cfg.model)
    params = sum(p.numel() for p in model.parameters())
    assert params > 0
    exported = backbone_checkpoint(dict(state_dict=model.state_dict()))
    state = {k[len('backbone.'):]: v
             for k, v in exported['state_dict'].items()}
    targets = [p for p in MASK_RCNN + UPERNET
               if p.endswith('_brain.py') and architecture(p) ==
               architecture(path)]
    assert targets, f'no downstream config has the backbone of {path}'
    for target in targets:
        report = downstream_backbone(target).load_state_dict(
            state, strict=False)
        assert report.missing_keys == [] and report.unexpected_keys == [], (
            target)
    assert cfg.train_dataloader.dataset.type == 'NSDBrainDataset'
    if 'demo' not in path:  # the paper's settings
        assert cfg.optim_wrapper.optimizer.lr == 1e-4
        assert cfg.train_cfg.max_epochs == 100
        assert cfg.train_dataloader.batch_size == 64
        if 'ablations' not in path:  # these vary the rest
            assert cfg.train_dataloader.dataset.subjects == [
                1, 2, 3, 4, 5, 6, 7
            ]
        if ('ablations' not in path and 'mindeye' not in path
                and 'brain_encoder' in cfg.model):  # not regression arms
            assert cfg.model.head.contrastive_loss.loss_weight == 0.5
            assert cfg.model.head.guidance_loss.loss_weight == 0.5
        assert model.backbone.__class__.__name__ in (
            'ConvNeXt', 'SwinTransformer', 'TimmFeatureBackbone')


ENCODING = configs('encoding')


@pytest.mark.parametrize('path', ENCODING, ids=osp.basename)
def test_encoding_config_builds(path):
    register_all_modules()
    cfg = Config.fromfile(path)
    model = MODELS.build(cfg.model)
    assert model.__class__.__name__ == 'PooledFeatures'
    init = cfg.model.backbone.get('init_cfg')
    if path.endswith('_brain.py'):
        assert init.type == 'Pretrained' and init.prefix == 'backbone.'
    else:
        assert init is None
    if 'demo' not in path:  # the held-out subject of the paper's protocol
        assert cfg.train_dataloader.dataset.subjects == [8]
        assert cfg.test_dataloader.dataset.split == 'test'



@pytest.mark.parametrize('path', MASK_RCNN, ids=osp.basename)
def test_mask_rcnn_config_builds(path, build_mmdet):
    cfg = Config.fromfile(path)
    model = build_mmdet(cfg)
    assert model.__class__.__name__ == 'MaskRCNN'
    assert 'nonsd' in cfg.train_dataloader.dataset.ann_file
    assert cfg.test_evaluator.ann_file.endswith('instances_val2017_nonsd.json')
    init = cfg.model.backbone.get('init_cfg')
    assert (init is None) == path.endswith('_random.py')
    if 'demo' in path:  # fp32 on the CPU, tested once at the end
        assert cfg.optim_wrapper.type == 'OptimWrapper'
        assert cfg.val_dataloader is None
        return
    assert cfg.train_cfg.max_epochs == (36 if '3x' in path else 12)
    assert cfg.val_evaluator.ann_file.endswith('instances_val2017.json')
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    if 'convnext-s' in path:
        assert (cfg.optim_wrapper.constructor ==
                'LearningRateDecayOptimizerConstructor')


DOWNSTREAM = {
    'mask_rcnn': ('mmdet', 'mask-rcnn_{}_fpn_amp-1x_coco-nonsd_brain.py'),
    'upernet': ('mmseg', 'upernet_{}_amp-160k_ade20k-512x512_brain.py'),
}


@pytest.mark.parametrize('task', sorted(DOWNSTREAM))
@pytest.mark.parametrize('arch', ['convnext_s', 'swin_s'])
def test_pretrained_backbone_loads_downstream(arch, task, tmp_path):
    """The exported pretraining backbone fills every backbone tensor of
    Mask R-CNN and UperNet: torch's load report has no missing or
    unexpected key."""
    from mmengine.registry import DefaultScope
    from mmengine.registry import MODELS as ROOT_MODELS
    import torch
    from mmengine.runner.checkpoint import _load_checkpoint_with_prefix

    from mmbrain.engine.hooks import backbone_checkpoint
    register_all_modules()
    pretrainer = MODELS.build(
        Config.fromfile(
            osp.join(ROOT, 'configs', 'pretrain',
                     f'brainformer_{arch}.py')).model)
    path = str(tmp_path / 'backbone.pth')
    torch.save(backbone_checkpoint(dict(state_dict=pretrainer.state_dict())),
               path)
    scope, template = DOWNSTREAM[task]
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', task,
                 template.format(arch.replace('_', '-'))))
    cfg.model.backbone.init_cfg.checkpoint = path
    with DefaultScope.overwrite_default_scope(scope):
        model = ROOT_MODELS.build(cfg.model)
    report = model.backbone.load_state_dict(
        _load_checkpoint_with_prefix('backbone.', path), strict=False)
    assert report.missing_keys == [] and report.unexpected_keys == []
    model.backbone.init_weights()  # what the runner does, via init_cfg
    for key, value in model.backbone.state_dict().items():
        assert torch.equal(value, pretrainer.backbone.state_dict()[key]), key


# what may differ between the backbones of one architecture: the weights'
# source, and the downstream recipe's stochastic depth, input size and
# frozen stages
NOT_ARCHITECTURE = ('init_cfg', 'drop_path_rate', 'img_size', 'frozen_stages')


def architecture(path):
    """(name, constructor arguments) of a config's image backbone."""
    backbone = Config.fromfile(path).model.backbone.to_dict()
    args = {k: v for k, v in backbone.items() if k not in NOT_ARCHITECTURE}
    if 'out_indices' in args:
        args['out_indices'] = tuple(args['out_indices'])
    name = (args['type'], repr(args.get('arch', args.get('model_name'))))
    return name, args


def test_arms_differ_only_in_weights():
    """Every pretraining config and every downstream config (Mask R-CNN,
    UperNet, ridge readout; random, brain, in1k; demo ones included) of one
    architecture build the backbone with the same arguments, so the arms of
    a comparison are one network with different weights."""
    groups = {}
    for path in PRETRAIN + MASK_RCNN + UPERNET + ENCODING:
        name, args = architecture(path)
        groups.setdefault(name, []).append((path, args))
    for name, members in groups.items():
        pretrain = [m for m in members if m[0] in PRETRAIN]
        assert pretrain, f'{name}: downstream configs without pretraining'
        ref_path, ref = pretrain[0]
        for path, args in members:
            assert args == ref, (f'{osp.relpath(path, ROOT)} builds {args}, '
                                 f'{osp.relpath(ref_path, ROOT)} {ref}')
    convnext = groups[('mmpretrain.ConvNeXt', "'small'")]
    assert len(convnext) > 10
    assert all(args['layer_scale_init_value'] == 1.0 for _, args in convnext)


@pytest.mark.parametrize('path', UPERNET, ids=osp.basename)
def test_upernet_config_builds(path):
    from mmengine.registry import DefaultScope
    from mmseg.registry import MODELS as MMSEG_MODELS
    cfg = Config.fromfile(path)
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = MMSEG_MODELS.build(cfg.model)
    assert model.decode_head.__class__.__name__ == 'UPerHead'
    assert model.backbone.__class__.__module__.startswith('mmpretrain')
    init = cfg.model.backbone.get('init_cfg')
    assert (init is None) == path.endswith('_random.py')
    if init is not None:
        assert init.prefix == 'backbone.'
    if 'demo' in path:  # fp32 on the CPU, tested once at the end
        assert cfg.optim_wrapper.type == 'OptimWrapper'
        assert cfg.val_dataloader is None
        return
    assert cfg.train_cfg.max_iters == 160000
    assert cfg.crop_size == (512, 512)
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'


def test_new_backbone_by_inheritance_trains_one_iteration(build_mmdet):
    import torch
    from mmdet.testing import demo_mm_inputs
    from mmengine.optim import OptimWrapper
    from mmengine.registry import DefaultScope
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', 'mask_rcnn',
                 'mask-rcnn_timm-resnet50_fpn_amp-1x_coco-nonsd_brain.py'))
    cfg.model.backbone.init_cfg = None  # no pretraining run in the test
    model = build_mmdet(cfg)
    assert model.backbone.__class__.__name__ == 'TimmFeatureBackbone'
    torch.manual_seed(0)
    data = demo_mm_inputs(
        batch_size=1, image_shapes=[(3, 128, 128)], num_items=[2],
        with_mask=True)
    with DefaultScope.overwrite_default_scope('mmdet'):
        log = model.train_step(
            data, OptimWrapper(torch.optim.SGD(model.parameters(), lr=1e-3)))
    assert torch.isfinite(log['loss'])


def small_loader(loader_cfg, data_root, **dataset):
    loader_cfg.update(batch_size=2, num_workers=0, persistent_workers=False)
    loader_cfg.dataset.update(data_root=data_root, **dataset)
    return loader_cfg


@pytest.fixture(scope='module')
def demo_root(tmp_path_factory):
    """A small demo NSD with its COCO- and ADE20K-format sets."""
    from mmbrain.datasets.demo import DemoSpec, make_demo_nsd
    root = str(tmp_path_factory.mktemp('demo'))
    make_demo_nsd(root, DemoSpec(num_subjects=1, num_shared=5, num_own=10,
                                 num_unseen=5, num_downstream=12))
    return root


@pytest.mark.parametrize('path', MASK_RCNN, ids=osp.basename)
def test_mask_rcnn_dataloaders_build(path, demo_root):
    from mmengine.registry import DefaultScope
    from mmengine.runner import Runner
    cfg = Config.fromfile(path)
    for split in ('train', 'val', 'test'):
        if cfg[f'{split}_dataloader'] is None:  # the demo's val
            continue
        ann = 'train2017' if split == 'train' else 'val2017'
        loader_cfg = small_loader(
            cfg[f'{split}_dataloader'], osp.join(demo_root, 'coco'),
            ann_file=f'annotations/instances_{ann}.json')
        with DefaultScope.overwrite_default_scope('mmdet'):
            batch = next(iter(Runner.build_dataloader(loader_cfg)))
        assert len(batch['inputs']) == 2
        assert batch['data_samples'][0].gt_instances is not None


@pytest.mark.parametrize('path', UPERNET, ids=osp.basename)
def test_upernet_dataloaders_build(path, demo_root):
    from mmengine.registry import DefaultScope
    from mmengine.runner import Runner
    cfg = Config.fromfile(path)
    for split in ('train', 'val', 'test'):
        if cfg[f'{split}_dataloader'] is None:  # the demo's val
            continue
        loader_cfg = small_loader(cfg[f'{split}_dataloader'],
                                  osp.join(demo_root, 'ade20k'))
        with DefaultScope.overwrite_default_scope('mmseg'):
            batch = next(iter(Runner.build_dataloader(loader_cfg)))
        assert len(batch['inputs']) == 2
        if split == 'train':  # random scale, then a crop of at most 512
            assert max(batch['inputs'][0].shape[-2:]) <= 512


# Table 3 of the paper: what each ablation config sets, by the end of its
# name (full size, then demo size where the demo has a form)
ABLATIONS = {
    'pos-embed': ('model.brain_encoder.embed_type', 'pos', 'pos'),
    'window128-stride64': ('model.brain_encoder.window_size',
                           128, None),
    'window128-stride32': ('model.brain_encoder.window_stride', 32, None),
    'window32-stride16': ('model.brain_encoder.window_size', None, 32),
    'window32-stride8': ('model.brain_encoder.window_stride', None, 8),
    'no-guidance': ('model.head.guidance_loss', 'None', 'None'),
    'linear-encoder': ('model.brain_encoder.type', 'LinearBrainEncoder',
                       'LinearBrainEncoder'),
    '1-subject': ('train_dataloader.dataset.subjects', [1], [1]),
    '3-subjects': ('train_dataloader.dataset.subjects', [1, 2, 3], None),
    '5-subjects': ('train_dataloader.dataset.subjects', [1, 2, 3, 4, 5],
                   None),
    'lambda-con0.3-bfg0.7': ('model.head.guidance_loss.loss_weight', 0.7,
                             0.7),
    'lambda-con0.7-bfg0.3': ('model.head.contrastive_loss.loss_weight', 0.7,
                             0.7),
}
DEMO_ABLATIONS = [k for k, v in ABLATIONS.items() if v[2] is not None]


@pytest.mark.parametrize('size', ['full', 'demo'])
@pytest.mark.parametrize('setting', sorted(ABLATIONS))
def test_ablation_configs_set_what_their_names_say(setting, size):
    key, full, demo = ABLATIONS[setting]
    expected = full if size == 'full' else demo
    folder = ('ablations' if size == 'full' else 'demo/ablations')
    arch = 'convnext_s' if size == 'full' else 'convnext_demo'
    path = osp.join(ROOT, 'configs', 'pretrain', folder,
                    f'brainformer_{arch}_{setting}.py')
    if expected is None:
        assert not osp.exists(path)
        return
    value = Config.fromfile(path)
    for part in key.split('.'):
        value = value[part]
    assert str(value) == str(expected)
    listed = [osp.dirname(p) for p in configs('pretrain')]
    here = osp.join(ROOT, 'configs', 'pretrain', folder)
    assert listed.count(here) == sum(
        v[1 if size == 'full' else 2] is not None
        for v in ABLATIONS.values())


def demo_model_and_batch(name, small_demo_nsd):
    """The model of configs/pretrain/demo/<name>.py (or of the config at
    path ``name``, relative to the repository; seeded) and a batch of
    4 from its training loader over the one-subject demo NSD, its
    per-subject maps cut to that subject."""
    import torch
    from mmengine.runner import Runner
    register_all_modules()
    torch.manual_seed(0)
    cfg = Config.fromfile(
        osp.join(ROOT, name) if name.endswith('.py') else osp.join(
            ROOT, 'configs', 'pretrain', 'demo', f'{name}.py'))
    cfg.train_dataloader.update(batch_size=4)
    cfg.train_dataloader.dataset.update(data_root=small_demo_nsd,
                                        subjects=[1])
    for part in ('brain_encoder', 'head'):  # a map per subject
        if (cfg.model.get(part) or {}).get('subjects') is not None:
            cfg.model[part].subjects = [1]
    batch = next(iter(Runner.build_dataloader(cfg.train_dataloader)))
    return MODELS.build(cfg.model), batch


@pytest.mark.parametrize(
    'name', [
        'brainformer_convnext_demo_reliable-voxels', 'mindeye_convnext_demo',
        'neurofusion_convnext_demo'
    ] + [f'ablations/brainformer_convnext_demo_{k}' for k in DEMO_ABLATIONS])
def test_demo_variant_trains_one_step(name, small_demo_nsd):
    """A demo pretraining variant on real demo data: every parameter of
    the brain encoder and of a fusion block gets a gradient, and one
    optimiser step gives a finite loss; with reliable voxels, fewer voxels
    than the cache holds."""
    import torch
    from mmengine.optim import OptimWrapper

    from mmbrain.datasets.nsd import BrainCache
    model, batch = demo_model_and_batch(name, small_demo_nsd)
    losses = model(**model.data_preprocessor(batch, True), mode='loss')
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    trained = list(model.brain_encoder.parameters())
    if model.head.fusion is not None:
        trained += list(model.head.fusion.parameters())
    if 'mindeye' in name:  # MindEye2's input: nsdgeneral, one region
        assert batch['data_samples'][0].rois == ('nsdgeneral', )
        with BrainCache(osp.join(small_demo_nsd, 'prepared',
                                 'subj01.h5')) as cache:
            assert [lengths[0] for lengths in batch['brain']['lengths']] == [
                len(cache.coords('nsdgeneral'))]
        # all but the three stage outputs the last-stage neck leaves out
        # and the ROI pooling of the guidance loss, which MindEye has not
        unused = ('backbone.norm0.', 'backbone.norm1.', 'backbone.norm2.',
                  'head.roi_')
        trained = [p for n, p in model.named_parameters()
                   if not n.startswith(unused)]
    assert all(p.grad is not None and p.grad.any() for p in trained)
    model.zero_grad()
    log = model.train_step(
        batch, OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-3)))
    assert torch.isfinite(log['loss'])
    if 'reliable' in name:
        with BrainCache(osp.join(small_demo_nsd, 'prepared',
                                 'subj01.h5')) as cache:
            held = [len(cache.coords(roi)) for roi in layout.ROI_GROUPS]
        used = [lengths[0] for lengths in batch['brain']['lengths']]
        assert all(u <= h for u, h in zip(used, held))
        assert sum(used) < sum(held)


@pytest.mark.parametrize(
    'name', [
        'projects/transfer_study/configs/oracle_convnext_demo.py',
        'voxel-encoding_convnext_demo'
    ])
def test_regression_demo_trains_one_step(name, small_demo_nsd):
    """The positive controls on real demo data, through their own
    pipelines: every head parameter gets a gradient and one optimiser step
    gives a finite loss."""
    import torch
    from mmengine.optim import OptimWrapper
    model, batch = demo_model_and_batch(name, small_demo_nsd)
    model(**model.data_preprocessor(batch, True),
          mode='loss')['loss_regression'].backward()
    assert all(p.grad is not None and p.grad.any()
               for p in model.head.parameters())
    model.zero_grad()
    log = model.train_step(
        batch, OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-3)))
    assert torch.isfinite(log['loss'])


def test_caption_demo_trains_one_step(small_demo_nsd):
    """The captions arm on real demo data, through its own pipeline (the
    demo's captions, no fMRI): every trainable parameter but the stage
    norms kept for downstream and the head's ROI projection (which only the
    guidance loss uses) gets a gradient, and one optimiser step gives a
    finite loss."""
    import torch
    from mmengine.optim import OptimWrapper
    model, batch = demo_model_and_batch('clip-captions_convnext_demo',
                                        small_demo_nsd)
    sample = batch['data_samples'][0]
    assert 'fmri' not in sample and sample.tokens.shape == (64, )
    model(**model.data_preprocessor(batch, True),
          mode='loss')['loss_contrastive'].backward()
    no_grad = [n for n, p in model.named_parameters()
               if p.requires_grad and (p.grad is None or not p.grad.any())]
    assert sorted(no_grad) == sorted(
        [f'backbone.norm{i}.{w}' for i in range(3) for w in ('bias', 'weight')]
        + ['head.roi_proj.bias', 'head.roi_proj.weight'])
    model.zero_grad()
    log = model.train_step(
        batch, OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-3)))
    assert torch.isfinite(log['loss'])


# trainable tensors that no loss of a self-supervised demo reaches: the
# norms of the stages kept for mmdet/mmseg (its neck takes the last stage)
UNUSED_NORMS = sorted(f'backbone.norm{i}.{w}' for i in range(3)
                      for w in ('bias', 'weight'))


@pytest.mark.parametrize('name', [
    'byol_convnext_demo', 'simclr_convnext_demo', 'mocov3_convnext_demo',
    'brainformer-mocov3_convnext_demo',
    'brainformer-mocov3_convnext_demo_shuffled'
])
def test_self_supervised_demo_trains_one_step(name, small_demo_nsd):
    """The image-only and ssl+brain demos on real demo data: the loss is
    the brain losses plus the weighted self-supervised loss on the views (by
    hand), every trainable tensor but the unused norms gets a gradient, a
    momentum network none, and one optimiser step moves the backbone."""
    import torch
    from mmengine.logging import MessageHub
    from mmengine.optim import OptimWrapper
    MessageHub.get_current_instance().update_info('max_iters', 10)
    model, batch = demo_model_and_batch(name, small_demo_nsd)
    model.init_weights()
    data = model.data_preprocessor(batch, True)
    if not name.startswith('brainformer'):
        assert type(model).__name__ in ('BYOL', 'SimCLR', 'MoCoV3')
        assert [v.shape for v in data['inputs']] == [(4, 3, 96, 96)] * 2
        losses = model(**data, mode='loss')
        algorithm = model
    else:
        model.self_supervised_weight = 0.25
        assert [v.shape for v in data['inputs']['views']] == [
            (4, 3, 96, 96)
        ] * 2
        losses = model(**data, mode='loss')
        algorithm = model.self_supervised
        assert algorithm.backbone is model.backbone
        brain = model.brain_loss(data['inputs'])
        for key in ('loss_contrastive', 'loss_guidance'):
            torch.testing.assert_close(losses[key], brain[key])
        # the target network, a copy of backbone and neck since the first
        # step, gives the same loss again
        torch.testing.assert_close(
            losses['loss_self_supervised'],
            0.25 * algorithm.loss(data['inputs']['views'], [])['loss'])
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    # BYOL's target network, MoCo v3's momentum encoder (SimCLR has none)
    for name in ('target_net', 'momentum_encoder'):
        if hasattr(algorithm, name):
            assert not any(p.requires_grad
                           for p in getattr(algorithm, name).parameters())
    no_grad = sorted(n for n, p in model.named_parameters()
                     if p.requires_grad and (p.grad is None
                                             or not p.grad.any()))
    assert no_grad == UNUSED_NORMS
    model.zero_grad()
    before = model.backbone.stages[0][0].depthwise_conv.weight.clone()
    log = model.train_step(
        batch, OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-3)))
    assert torch.isfinite(log['loss'])
    assert not torch.equal(before,
                           model.backbone.stages[0][0].depthwise_conv.weight)


# a demo config's full-size twin: the same name at full size, in the folder
# above demo/ (the window ablations' demo sizes are a quarter of theirs)
DEMO_NAMES = (
    ('convnext-demo_fpn_coco-demo', 'convnext-s_fpn_amp-1x_coco-nonsd'),
    ('convnext-demo_ade20k-demo', 'convnext-s_amp-160k_ade20k-512x512'),
    ('window32-stride16', 'window128-stride64'),
    ('window32-stride8', 'window128-stride32'),
    ('convnext_demo', 'convnext_s'),
)
DEMOS = sorted(p for p in glob.glob(
    osp.join(ROOT, 'configs', '**', 'demo', '**', '*.py'), recursive=True)
    if '_base_' not in osp.relpath(p, ROOT))


def twin(path):
    """The full-size config a demo config is the small form of."""
    name = osp.basename(path)
    for demo, full in DEMO_NAMES:
        name = name.replace(demo, full)
    folder = osp.relpath(osp.dirname(path), ROOT).split(osp.sep)
    folder.remove('demo')
    return osp.join(ROOT, *folder, name)


def first_base(path):
    """The first file of a config's ``_base_``, as a path."""
    import ast
    tree = ast.parse(open(path).read())
    base = next(node.value for node in tree.body
                if isinstance(node, ast.Assign)
                and getattr(node.targets[0], 'id', None) == '_base_')
    base = ast.literal_eval(base)
    base = base[0] if isinstance(base, list) else base
    return osp.normpath(osp.join(osp.dirname(path), base))


@pytest.mark.parametrize('path', DEMOS, ids=lambda p: osp.relpath(p, ROOT))
def test_demo_config_inherits_its_twin(path):
    """A demo config is its full-size twin at the demo's scale: the twin is
    its first base (its recipe is inherited, never copied)."""
    assert osp.exists(twin(path)), f'{path} has no full-size twin'
    assert first_base(path) == twin(path)


def roi_groups(model):
    """The ROI groups R a pretraining model config is built for, or None
    when it reads no ROI groups."""
    encoder, head = model.get('brain_encoder'), model.get('head') or {}
    if encoder is not None:
        if encoder.get('num_voxels') is not None:
            return len(encoder.num_voxels)
        return encoder.get('num_rois', 6)  # BrainformerEncoder's default
    if model.get('target', 'fmri') == 'fmri' and 'num_outputs' in head:
        return len(head.num_outputs)
    return None


@pytest.mark.parametrize('path', PRETRAIN, ids=osp.basename)
def test_model_roi_groups_come_from_the_dataset_list(path):
    """The model's R is the length of the dataset's rois list in every
    pretraining config (the config derives one from the other; the first
    batch checks it at run time)."""
    cfg = Config.fromfile(path)
    count = roi_groups(cfg.model)
    if count is None:
        return
    for split in ('train', 'val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        if loader is not None:
            assert len(loader.dataset.rois) == count, (split, path)


# the pretraining configs the demo trains (the encoding configs are not
# the Runner's: fit_encoding.py builds their model)
RUNNER_CONFIGS = [p for p in DEMOS if '/pretrain/' in p] + [
    osp.join(ROOT, 'projects', 'transfer_study', 'configs',
             'oracle_convnext_demo.py')
]


@pytest.mark.parametrize('path', RUNNER_CONFIGS,
                         ids=lambda p: osp.relpath(p, ROOT))
def test_runner_from_cfg_builds_the_tools_model(path, tmp_path):
    """mmengine's Runner on the plain config builds the model that
    tools/train.py builds (load_tool_config, then the Runner): the same
    tensors of the same shapes, and, seeded alike, the same values."""
    import torch
    from mmengine.runner import Runner

    from mmbrain.utils import load_tool_config
    register_all_modules()

    def state(cfg, name):
        cfg.work_dir = str(tmp_path / name)
        cfg.experiment_name = f'{name}_{osp.basename(path)}'
        return Runner.from_cfg(cfg).model.state_dict()

    if not osp.exists(path):
        pytest.skip(f'{path} is not in this checkout')
    plain = state(Config.fromfile(path), 'plain')
    tools = state(load_tool_config(path, work_dir=str(tmp_path / 'tools')),
                  'tools')
    assert plain.keys() == tools.keys()
    for key, value in plain.items():
        assert value.shape == tools[key].shape, key
        assert torch.equal(value, tools[key]), key


FIVE_ROIS = ['prf-visualrois', 'floc-bodies', 'floc-faces', 'floc-places',
             'streams']


@pytest.mark.parametrize(
    'name,model_key',
    [('brainformer_convnext_demo',
      'model.brain_encoder.num_rois is 6 (BrainformerEncoder)'),
     ('voxel-encoding_convnext_demo',
      'model.head.num_rois is 6 (ResponseReadoutHead)')])
def test_data_of_other_roi_groups_fails_at_the_first_batch(
        name, model_key, small_demo_nsd):
    """A dataset serving 5 ROI groups to a model built for 6 stops at the
    first batch with one line naming the dataset's and the model's keys;
    the check runs once per mode."""
    import torch
    from mmengine.optim import OptimWrapper
    from mmengine.runner import Runner
    register_all_modules()
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', 'pretrain', 'demo', f'{name}.py'))
    cfg.train_dataloader.update(batch_size=4)
    cfg.train_dataloader.dataset.update(data_root=small_demo_nsd,
                                        subjects=[1])
    head = cfg.model.get('head', {})
    if head.get('subjects') is not None:
        head.subjects = [1]
    model = MODELS.build(cfg.model)
    wrapper = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-3))
    batch = next(iter(Runner.build_dataloader(cfg.train_dataloader)))
    model.train_step(batch, wrapper)  # six groups: checked, and passes
    assert model.checked_modes == {'loss'}

    cfg.train_dataloader.dataset.rois = FIVE_ROIS
    batch = next(iter(Runner.build_dataloader(cfg.train_dataloader)))
    model.checked_modes.clear()
    with pytest.raises(ValueError) as error:
        model.train_step(batch, wrapper)
    message = str(error.value)
    assert '\n' not in message
    assert message.startswith(f'the batch holds 5 ROI groups but {model_key}')
    assert f'train_dataloader.dataset.rois {FIVE_ROIS}' in message
