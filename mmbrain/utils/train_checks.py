"""Checks on a built runner that turn mmengine's late assertions into
errors that say what to change."""
from mmengine.dist import get_world_size


def check_train_batches(runner):
    """Raise if the train dataloader yields no batch.

    With ``drop_last=True`` a split smaller than one global batch gives an
    epoch of 0 iterations, which mmengine rejects deep in the scheduler set-up
    (``epoch_length ... got 0``). Builds the train loop (``runner.train()``
    reuses it).

    Raises:
        ValueError: With the dataset size, the batch size and world size.
    """
    loader = runner.train_loop.dataloader
    if len(loader) > 0:
        return
    world = get_world_size()
    raise ValueError(
        f'the train split ({type(loader.dataset).__name__}) has '
        f'{len(loader.dataset)} samples, fewer than one batch of '
        f'{loader.batch_size} per process x {world} process(es) with '
        'drop_last=True, so an epoch has no iteration. Lower '
        'train_dataloader.batch_size, train on fewer processes, or add '
        'subjects or images')
