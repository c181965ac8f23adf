"""mmbrain.utils.user_errors: a user's mistake is one line and exit status
2; a bug keeps its traceback."""
import sys

import pytest

from mmbrain.datasets.nsd import NSDFormatError
from mmbrain.utils import ConfigError, UserError, report_user_errors
from mmbrain.utils.checkpoint import CheckpointError
from mmbrain.utils.user_errors import check_heads


@pytest.mark.parametrize('error, line', [
    (NSDFormatError('/d/subj01.h5', 'damaged'), '/d/subj01.h5: damaged'),
    (CheckpointError('a.pth', 'the file is empty'), 'a.pth: the file is '
     'empty'),
    (FileNotFoundError(2, 'No such file or directory', 'x.txt'),
     'x.txt: No such file or directory'),
])
def test_a_users_mistake_is_one_line_and_status_2(error, line, capsys,
                                                   monkeypatch):
    monkeypatch.setattr(sys, 'argv', ['tools/train.py'])

    @report_user_errors
    def main():
        raise error

    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 2
    assert capsys.readouterr().err == f'train.py: error: {line}\n'


def test_a_bug_keeps_its_traceback():
    @report_user_errors
    def main():
        raise ZeroDivisionError('a bug')

    with pytest.raises(ZeroDivisionError):
        main()

    @report_user_errors
    def no_file_named():
        raise FileNotFoundError('somewhere')  # no filename: not the user's

    with pytest.raises(FileNotFoundError):
        no_file_named()
    assert report_user_errors(lambda: 3)() == 3


def test_heads_must_divide_the_width():
    check_heads('Block', 768, 12)
    for heads in (0, 5, -4):
        with pytest.raises(ConfigError, match=f'^Block: num_heads={heads} '
                           'must be a positive divisor of the width 768'):
            check_heads('Block', 768, heads)
    assert issubclass(ConfigError, UserError)
