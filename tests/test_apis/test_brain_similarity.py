"""mmbrain.apis.brain_similarity: RSA against rsatoolbox and a numpy RDM
correlation by hand, and the split-half ceiling by hand."""
import numpy as np
import pytest
from rsatoolbox.data import Dataset
from rsatoolbox.rdm import calc_rdm, compare
from scipy.stats import spearmanr

from mmbrain.apis.brain_similarity import (rdm_similarity, rsa_metrics,
                                           spearman_brown,
                                           split_half_ceiling)
from mmbrain.utils import ConfigError


def upper_triangle_rdm(patterns):
    """1 - Pearson r between rows, its upper triangle (row by row, as
    rsatoolbox orders it)."""
    centred = patterns - patterns.mean(1, keepdims=True)
    unit = centred / np.linalg.norm(centred, axis=1, keepdims=True)
    return (1 - unit @ unit.T)[np.triu_indices(len(patterns), k=1)]


@pytest.fixture
def patterns():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(8, 5))  # [N, F]
    # responses that follow the features, with noise: a positive RSA
    responses = features + 0.5 * rng.normal(size=(8, 5))  # [N, V]
    return features, responses


def test_rsa_matches_rsatoolbox_and_a_hand_computation(patterns):
    features, responses = patterns
    value = rdm_similarity(features, responses)
    direct = compare(calc_rdm(Dataset(features), method='correlation'),
                     calc_rdm(Dataset(responses), method='correlation'),
                     method='corr')[0, 0]
    by_hand = np.corrcoef(upper_triangle_rdm(features),
                          upper_triangle_rdm(responses))[0, 1]
    assert value == pytest.approx(direct, abs=1e-12)
    assert value == pytest.approx(by_hand, abs=1e-10)
    assert 0 < value < 1
    ranked = spearmanr(upper_triangle_rdm(features),
                       upper_triangle_rdm(responses))[0]
    assert rdm_similarity(features, responses,
                          'spearman') == pytest.approx(ranked, abs=1e-10)
    with pytest.raises(ConfigError, match="'euclid' is not one of"):
        rdm_similarity(features, responses, 'euclid')


def test_spearman_brown_by_hand():
    assert spearman_brown(1.) == 1
    assert spearman_brown(.5) == pytest.approx(2 / 3)
    assert spearman_brown(0.) == 0


def test_split_half_ceiling_by_hand(patterns):
    _, responses = patterns
    # identical halves: their RDMs agree perfectly
    assert split_half_ceiling(np.stack([responses, responses],
                                       1)) == pytest.approx((1., 1.))
    noisy = responses + np.random.default_rng(1).normal(size=responses.shape)
    r_half, ceiling = split_half_ceiling(np.stack([responses, noisy], 1))
    by_hand = np.corrcoef(upper_triangle_rdm(responses),
                          upper_triangle_rdm(noisy))[0, 1]
    assert r_half == pytest.approx(by_hand, abs=1e-10)
    assert ceiling == pytest.approx(2 * by_hand / (1 + by_hand))


def test_metrics_with_and_without_a_ceiling(patterns):
    features, responses = patterns
    rng = np.random.default_rng(2)
    halves = np.stack([responses + .3 * rng.normal(size=responses.shape),
                       responses + .3 * rng.normal(size=responses.shape)], 1)
    assert 0 < split_half_ceiling(halves)[1] < 1
    metrics = rsa_metrics(features, [responses, responses[:, :2]],
                          ['a', 'b'], [halves, halves[..., :2]])
    assert set(metrics) == {
        f'{key}/{roi}' for key in ('rsa', 'rsa_ceiling', 'rsa_normalised')
        for roi in 'ab'} | {'rsa/mean', 'rsa_normalised/mean'}
    ceiling = split_half_ceiling(halves)[1]
    assert metrics['rsa_ceiling/a'] == pytest.approx(ceiling)
    assert metrics['rsa_normalised/a'] == pytest.approx(
        rdm_similarity(features, responses) / ceiling)
    assert metrics['rsa/mean'] == pytest.approx(
        (metrics['rsa/a'] + metrics['rsa/b']) / 2)
    # the mean score over the mean ceiling
    assert metrics['rsa_normalised/mean'] == pytest.approx(
        metrics['rsa/mean'] /
        ((metrics['rsa_ceiling/a'] + metrics['rsa_ceiling/b']) / 2))

    # no trials (Algonauts): the raw score alone, nothing made up
    bare = rsa_metrics(features, [responses], ['a'])
    assert bare['rsa/a'] == metrics['rsa/a'] == bare['rsa/mean']
    assert bare['rsa_ceiling/a'] is bare['rsa_normalised/a'] is None
    assert bare['rsa_normalised/mean'] is None

    # halves that disagree (a draw of seed 7 has r_half -0.32): a ceiling
    # of 0 or below normalises nothing
    other = np.random.default_rng(7).normal(size=responses.shape)
    worst = rsa_metrics(features, [responses], ['a'],
                        [np.stack([responses, other], 1)])
    assert worst['rsa_ceiling/a'] <= 0
    assert worst['rsa_normalised/a'] is worst['rsa_normalised/mean'] is None
