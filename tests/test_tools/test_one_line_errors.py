"""Every tool answers a user's mistake with one line and exit status 2:
missing files, bad config values, missing data roots, files that are not
checkpoints and checkpoints refused by safe loading. No traceback, and no
advice to load unsafely."""
import sys

import pytest
import torch

ENCODING = 'configs/encoding/demo/ridge_convnext_demo_random.py'
PROBE = 'projects/transfer_study/tools/probe_backbone.py'


class Payload:
    """A class nobody allow-listed: safe loading refuses it."""


@pytest.fixture(scope='module')
def bad_files(tmp_path_factory):
    """A text file, a checkpoint holding a Payload and one cut short."""
    folder = tmp_path_factory.mktemp('bad_files')
    (folder / 'notes.txt').write_text('not a checkpoint\n')
    torch.save(dict(state_dict={'backbone.w': torch.ones(2)},
                    meta=dict(payload=Payload())), folder / 'refused.pth')
    torch.save(dict(state_dict={'backbone.w': torch.ones(2)}),
               folder / 'whole.pth')
    data = (folder / 'whole.pth').read_bytes()
    (folder / 'cut.pth').write_bytes(data[:len(data) // 2])
    return folder


def cases(toy_config, files, demo_root):
    """(tool call, what its one line says) for each mistake of issue 43."""
    refused = str(files / 'refused.pth')
    refusal = f'{refused}: refused: it holds the Python object '
    return [
        (['tools/train.py', 'missing.py'], 'missing.py: no such config file'),
        (['tools/train.py', 'configs/pretrain/demo/brainformer_convnext_demo'
          '.py', '--cfg-options', 'model.brain_encoder.num_heads=0'],
         'num_heads=0 must be a positive divisor of the width 64'),
        (['tools/train.py', toy_config, '--resume', refused], refusal),
        (['tools/test.py', toy_config, refused], refusal),
        (['tools/analysis_tools/fit_encoding.py', ENCODING, '--cfg-options',
          'train_dataloader.dataset.data_root=/no/such/root',
          'test_dataloader.dataset.data_root=/no/such/root'],
         '/no/such/root: data root not found'),
        (['tools/analysis_tools/fit_encoding.py', ENCODING, '--cfg-options',
          f'train_dataloader.dataset.data_root={demo_root}',
          f'test_dataloader.dataset.data_root={demo_root}',
          'model.backbone.init_cfg.type=Pretrained',
          f'model.backbone.init_cfg.checkpoint={refused}',
          'model.backbone.init_cfg.prefix=backbone.'], refusal),
        ([PROBE, ENCODING, '--checkpoint', str(files / 'notes.txt')],
         f'{files / "notes.txt"}: not a checkpoint'),
        ([PROBE, ENCODING, '--checkpoint', refused], refusal),
        (['tools/model_converters/export_backbone.py',
          str(files / 'cut.pth'), str(files / 'out.pth')],
         f'{files / "cut.pth"}: damaged or truncated'),
    ]


@pytest.mark.parametrize('case', range(9))
def test_a_mistake_is_one_line(case, run_tool, toy_config, bad_files,
                               small_demo_nsd, tmp_path):
    args, says = cases(toy_config, bad_files, small_demo_nsd)[case]
    if not args[0].startswith(('tools/model_converters', PROBE)):
        args += ['--work-dir', str(tmp_path)]
    proc = run_tool([sys.executable, *args], check=False)
    tool = args[0].rsplit('/', 1)[-1]
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert 'Traceback' not in proc.stderr, proc.stderr[-3000:]
    assert 'weights_only=False' not in proc.stdout + proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f'{tool}: error: '), proc.stderr[-3000:]
    assert says in last, last
    assert not (bad_files / 'out.pth').exists()


def test_an_export_to_a_full_disk_is_one_line_and_leaves_nothing(
        run_tool, tiny_disk, tmp_path):
    """The export of issue 43, which left a 1 MiB backbone.pth and a
    traceback on a full 1 MiB file system."""
    checkpoint = tmp_path / 'pretrain.pth'
    torch.save(dict(state_dict={'backbone.w': torch.zeros(500_000)}),
               checkpoint)
    out = tiny_disk / 'backbone.pth'
    proc = run_tool([sys.executable, 'tools/model_converters/export_backbone'
                     '.py', str(checkpoint), str(out)], check=False)
    assert proc.returncode == 2
    assert 'Traceback' not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        f'export_backbone.py: error: {out}: cannot be written: No space left '
        'on device (nothing was left there)')
    assert list(tiny_disk.iterdir()) == []
