"""The downstream floors against hand-made data."""
import numpy as np
import pytest
from pycocotools.coco import COCO

from projects.transfer_study.transfer_study.baselines import (coco_ap, horizon_predictions,
                                           horizon_rows,
                                           layout_prior_detections)
from projects.transfer_study.transfer_study.probes import mean_iou


def coco(images, anns):
    data = COCO()
    data.dataset = dict(
        images=images, categories=[dict(id=1, name='person'),
                                   dict(id=3, name='car')],
        annotations=[dict(a, id=i + 1, iscrowd=0, area=a['bbox'][2] *
                          a['bbox'][3]) for i, a in enumerate(anns)])
    data.createIndex()
    return data


def test_the_layout_prior_by_hand():
    # training: 3 persons of 20 x 40 px in 100 px images, 1 car of 30 x 10
    train = coco([dict(id=1, width=100, height=100)], [
        dict(image_id=1, category_id=1, bbox=[0, 0, 20, 40])] * 3 + [
        dict(image_id=1, category_id=3, bbox=[0, 0, 30, 10])])
    # validation: a person at the centre of every quadrant of a 200 px image
    val = coco([dict(id=7, width=200, height=200)], [
        dict(image_id=7, category_id=1, bbox=[cx - 20, cy - 40, 40, 80])
        for cx in (50, 150) for cy in (50, 150)])
    results = layout_prior_detections(train, val)
    assert len(results) == 4 * 2
    person = [r for r in results if r['category_id'] == 1]
    assert {r['score'] for r in person} == {0.75}
    assert sorted(tuple(r['bbox']) for r in person) == [
        (30, 10, 40, 80), (30, 110, 40, 80), (130, 10, 40, 80),
        (130, 110, 40, 80)]
    assert coco_ap(val, results, 'bbox') == pytest.approx(100.)


def test_the_horizon_baselines_by_hand():
    sky, ground, person = 0, 1, 2
    label = np.full((1, 8, 4), ground)
    label[0, :3] = sky
    label[0, 1:5, 1] = person  # an object over the horizon
    assert horizon_rows(label[0], sky, ground) == 3
    true = horizon_predictions(label, sky, ground, True)
    assert (true[0, :3] == sky).all() and (true[0, 3:] == ground).all()
    middle = horizon_predictions(label, sky, ground, False)
    assert (middle[0, :4] == sky).all() and (middle[0, 4:] == ground).all()
    # sky: 10 px of it right, 12 predicted; ground: 18 right, 20
    # predicted; person: never predicted
    expected = (10 / 12 + 18 / 20 + 0) / 3 * 100
    assert mean_iou(true, label, 3) == pytest.approx(expected)
