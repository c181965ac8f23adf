# The transfer study at real scale: the full-size ConvNeXt-S arms pretrained
# on NSD's subjects 1-7 (subject 8 held out), the frozen endpoints (probes,
# robustness, brain similarity) for every arm and seed, and the costly
# fine-tunes (Mask R-CNN 1x, UperNet 160k) only for the runs in
# `finetune`; every stage a slurm job (docs/user_guides/transfer_study.md,
# "At real scale", has what each costs):
#   python projects/transfer_study/tools/transfer_study.py \
#       --profile projects/transfer_study/configs/profiles/nsd_convnext_s.py \
#       --work-dir work_dirs/transfer_study_nsd
# --rehearse runs the same profile on the demo layout with each config's
# demo twin and tiny schedules (the `rehearsal` section), as the test suite
# does, so the profile cannot rot unseen.
seeds = [0, 1, 2, 3, 4]
data_root = 'data/nsd'
subjects = [1, 2, 3, 4, 5, 6, 7, 8]  # pretraining, then the held-out one
roots = dict(coco='data/coco', ade20k='data/ade/ADEChallengeData2016')
arms = {
    'random': None,
    'shuffled': 'configs/pretrain/brainformer_convnext_s_shuffled.py',
    'recommended': 'configs/pretrain/brainformer_convnext_s.py',
    'ssl': 'configs/pretrain/mocov3_convnext_s.py',
    'ssl+brain': 'configs/pretrain/brainformer-mocov3_convnext_s.py',
    'ssl+shuffled':
    'configs/pretrain/brainformer-mocov3_convnext_s_shuffled.py',
    'captions': 'configs/pretrain/clip-captions_convnext_s.py',
    'labels': 'configs/pretrain/labels_convnext_s.py',
}
downstream = dict(
    encoding='configs/encoding/ridge_convnext_s_random.py',
    multilabel='configs/probes/coco-multilabel_convnext_s.py',
    segmentation='configs/probes/ade20k-linear_convnext_s.py',
    mask_rcnn='configs/mask_rcnn/'
    'mask-rcnn_convnext-s_fpn_amp-1x_coco-nonsd_random.py',
    upernet='configs/upernet/'
    'upernet_convnext-s_amp-160k_ade20k-512x512_random.py')
# the fine-tunes: the brain, its control and the starting point, one seed
finetune = ['random:0', 'recommended:0', 'shuffled:0']
downstream_options = {}
jobs = 16  # runs under way at once, each submitting its stages in order
launcher = 'slurm'
slurm = dict(gpus=1, cpus=16, timeout_min=24 * 60)
# --rehearse: the demo twins, one seed, tiny schedules, submitit's local
# executor in place of slurm
rehearsal = dict(
    seeds=[0],
    data_root='data/demo_nsd',
    subjects=[1, 2, 3],
    roots=None,
    arms={
        'random': None,
        'shuffled':
        'configs/pretrain/demo/brainformer_convnext_demo_shuffled.py',
        'recommended': 'configs/pretrain/demo/brainformer_convnext_demo.py',
        'ssl': 'configs/pretrain/demo/mocov3_convnext_demo.py',
        'ssl+brain':
        'configs/pretrain/demo/brainformer-mocov3_convnext_demo.py',
        'ssl+shuffled':
        'configs/pretrain/demo/brainformer-mocov3_convnext_demo_shuffled.py',
        'captions': 'configs/pretrain/demo/clip-captions_convnext_demo.py',
        'labels': 'configs/pretrain/demo/labels_convnext_demo.py',
    },
    downstream=dict(
        encoding='configs/encoding/demo/ridge_convnext_demo_random.py',
        multilabel='configs/probes/demo/coco-multilabel_convnext_demo.py',
        segmentation='configs/probes/demo/ade20k-linear_convnext_demo.py',
        mask_rcnn='configs/mask_rcnn/demo/'
        'mask-rcnn_convnext-demo_fpn_coco-demo_random.py',
        upernet='configs/upernet/demo/'
        'upernet_convnext-demo_ade20k-demo_random.py'),
    finetune=['random:0'],
    pretrain_epochs=1,
    downstream_options=dict(
        multilabel=['corruption.corruptions=[gaussian_noise]',
                    'corruption.severities=[3]', 'attack.steps=2'],
        segmentation=['corruption.corruptions=[gaussian_noise]',
                      'corruption.severities=[3]'],
        mask_rcnn=['train_cfg.max_epochs=1'],
        upernet=['train_cfg.max_iters=4']),
    jobs=1,
    slurm=dict(cluster='local', gpus=0, cpus=None, timeout_min=60))
