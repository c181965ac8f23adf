"""tools/misc/gpu_rehearsal.py on the CPU at tiny sizes: every field of its
JSON is there (a value or the reason it has none), its Markdown is
written, the correctness checks pass; a failing section is recorded in one
line while the others run; the time budget stops a section and skips the
rest. No timing is asserted."""
import importlib
import json
import math
import os.path as osp
import sys
import time

import pytest

TOOL = 'tools/misc/gpu_rehearsal.py'
TOP = {'tool', 'schema_version', 'command', 'commit', 'started', 'device',
       'tiny', 'budget_s', 'elapsed_s', 'sections'}
SECTION = {'title', 'status', 'note', 'seconds', 'traceback', 'info', 'rows'}
STEP_INFO = ['config', 'img_size', 'voxels', 'dtype', 'channels_last',
             'compile_backend', 'gflops_per_sample',
             'valid_gflops_per_sample']
STEP_FIELDS = ['batch', 'samples_per_s', 'step_ms', 'backbone_ms',
               'encoder_ms', 'optimizer_ms', 'rest_ms', 'compile_s',
               'peak_mem_gb', 'mfu']
# section: (info keys, row fields, rows with --tiny), in the report's order
SCHEMA = {
    'environment': (['device', 'torch', 'cuda', 'gpu', 'bf16_supported',
                     'peak_tflops', 'peak_what', 'mmcv',
                     'mmcv_built_with_cuda', 'mmcv_cuda_ops', 'python',
                     'cpus'], [], 0),
    'correctness': (['config', 'batch', 'img_size', 'voxels', 'reference',
                     'max_rel_err'],
                    ['check', 'compared', 'max_abs_err', 'max_rel_err',
                     'tolerance', 'passed'], 6),
    'pretrain_eager': (STEP_INFO, STEP_FIELDS, 2),
    'pretrain_compiled': (STEP_INFO, STEP_FIELDS, 2),
    'ceiling': (['backbone', 'img_size', 'dtype', 'channels_last',
                 'compile_backend', 'gflops_per_sample'],
                ['batch', 'samples_per_s', 'step_ms', 'compile_s',
                 'peak_mem_gb', 'mfu', 'over_step'], 1),
    'loader': (['data', 'build_s', 'subjects', 'samples', 'stimuli',
                'img_size', 'batch'],
               ['workers', 'samples_per_s', 'over_step'], 2),
    'mmcv': (['mmcv', 'cuda_ops', 'img_size', 'configs'],
             ['check', 'result', 'tolerance', 'passed', 'seconds'], 6),
}


def check_schema(report):
    """Every field of :data:`SCHEMA` is there, and none is empty."""
    assert set(report) == TOP
    assert list(report['sections']) == list(SCHEMA)
    for name, (info, fields, rows) in SCHEMA.items():
        section = report['sections'][name]
        assert set(section) == SECTION, name
        assert list(section['info']) == info, name
        assert len(section['rows']) == rows, name
        for row in section['rows']:
            assert list(row) == fields, name
        for value in [*section['info'].values(),
                      *(v for row in section['rows'] for v in row.values())]:
            assert value is not None and value != '', name


def positive(value):
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and value > 0)


@pytest.fixture(scope='module')
def tool_dir(repo_root):
    """The tool's folder on ``sys.path``, as running the tool puts it, so
    that it and the modules beside it import in this process."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(osp.join(repo_root, osp.dirname(TOOL)))
        yield


@pytest.fixture(scope='module')
def rehearsal(tool_dir):
    """The tool as a module, to run ``main(argv)`` in this process."""
    return importlib.import_module('gpu_rehearsal')


@pytest.fixture(scope='module')
def mmcv_section(tool_dir):
    """The module of the tool's ``mmcv`` section."""
    return importlib.import_module('rehearsal_mmcv')


def test_tiny_rehearsal_on_the_cpu(run_tool, tmp_path):
    proc = run_tool([sys.executable, TOOL, '--device', 'cpu', '--tiny',
                     '--out', str(tmp_path)])
    last = dict(kv.split('=') for kv in proc.stdout.strip().splitlines()[-1]
                .split())
    last = {k: float(v) for k, v in last.items()}
    assert last['checks_passed'] == 6 and last['checks_failed'] == 0
    assert last['sections_failed'] == 0 and last['sections_ok'] == 5
    assert positive(last['best_samples_per_s'])

    report = json.loads((tmp_path / 'rehearsal.json').read_text())
    check_schema(report)
    sections = report['sections']
    assert {k: s['status'] for k, s in sections.items()} == dict(
        environment='ok', correctness='ok', pretrain_eager='ok',
        pretrain_compiled='skipped', ceiling='ok', loader='ok',
        mmcv='skipped')
    assert 'mmcv\'s CUDA ops do not run here' in sections['mmcv']['note']
    for row in sections['mmcv']['rows'] + sections['pretrain_compiled'][
            'rows']:
        assert all(v.startswith('skipped: ') for k, v in row.items()
                   if k not in ('check', 'batch'))
    assert positive(sections['environment']['info']['peak_tflops'])
    for row in sections['correctness']['rows']:
        assert row['passed'] is True, row
        assert 0 <= row['max_rel_err'] <= row['tolerance']
    assert positive(sections['pretrain_eager']['info'][
        'valid_gflops_per_sample'])
    for row in sections['pretrain_eager']['rows']:
        for field in ('samples_per_s', 'step_ms', 'backbone_ms',
                      'encoder_ms', 'optimizer_ms', 'mfu'):
            assert positive(row[field]), (field, row)
        assert row['compile_s'] == 'n/a: eager'
        assert row['peak_mem_gb'].startswith('n/a')
    for row in sections['ceiling']['rows'] + sections['loader']['rows']:
        assert positive(row['samples_per_s']) and positive(row['over_step'])
    assert sections['loader']['info']['samples'] > 0

    markdown = (tmp_path / 'rehearsal.md').read_text()
    for section in sections.values():
        assert f'## {section["title"]}\n' in markdown
    assert '| encoder gradients, bf16 | cpu bf16 autocast vs cpu fp32 |' \
        in markdown


def test_a_failing_section_is_one_line_and_the_others_run(
        rehearsal, tmp_path):
    missing = tmp_path / 'no_nsd'
    report = rehearsal.main([
        '--device', 'cpu', '--tiny', '--out', str(tmp_path / 'out'),
        '--sections', 'environment', 'loader', 'ceiling', '--data-root',
        str(missing)
    ])
    check_schema(report)
    assert report == json.loads((tmp_path / 'out' / 'rehearsal.json')
                                .read_text())
    sections = report['sections']
    loader = sections['loader']
    assert loader['status'] == 'error'
    assert loader['note'].startswith('NSDFormatError: ')
    assert str(missing) in loader['note'] and '\n' not in loader['note']
    assert 'Traceback' in loader['traceback']
    for row in loader['rows']:
        assert row['samples_per_s'] == 'error: ' + loader['note']
    assert sections['environment']['status'] == 'ok'
    assert sections['ceiling']['status'] == 'ok'
    assert positive(sections['ceiling']['rows'][0]['samples_per_s'])
    # no step ran, so nothing to compare the ceiling with
    assert sections['ceiling']['rows'][0]['over_step'].startswith('n/a')
    assert sections['correctness']['status'] == 'skipped'
    assert sections['correctness']['note'] == 'not in --sections'


def test_the_budget_stops_a_section_and_skips_the_rest(
        rehearsal, tmp_path, monkeypatch):
    environment = next(s for s in rehearsal.SECTIONS
                       if s.name == 'environment')
    monkeypatch.setattr(environment, 'run',
                        lambda ctx, table: time.sleep(60))
    start = time.perf_counter()
    report = rehearsal.main(['--device', 'cpu', '--tiny', '--out',
                             str(tmp_path), '--budget-s', '1'])
    assert time.perf_counter() - start < 30
    check_schema(report)
    sections = report['sections']
    assert sections['environment']['status'] == 'stopped'
    assert sections['environment']['note'] == (
        'the budget of 1 s ran out during it')
    assert sections['environment']['info']['torch'] == (
        'stopped: the budget of 1 s ran out during it')
    for name in SCHEMA:
        if name != 'environment':
            assert sections[name]['status'] == 'skipped', name
            assert sections[name]['note'] == 'the budget of 1 s was spent'
    assert 'skipped: the budget of 1 s was spent' in json.dumps(
        sections['loader']['rows'])


def test_downstream_steps_and_roi_ops_run_on_the_cpu(mmcv_section):
    """The mmcv section's parts, which only a GPU runs in the rehearsal."""
    ops = mmcv_section.roi_ops('cpu')
    assert ops['roi_align'] == 0 and ops['nms'][1]
    for kind in mmcv_section.DOWNSTREAM:
        step = mmcv_section.downstream_step(kind, 'cpu', 'fp32', tiny=True)
        assert step['finite'] and positive(step['loss'])
