# Frozen backbone features (stages 1-3, each pooled to 2x2) and a ridge
# readout to every voxel, its penalty chosen per voxel by leave-one-out
# cross-validation (closed form, one decomposition). The config that inherits this one sets the backbone:
# model = dict(backbone=dict(...)).
default_scope = 'mmbrain'
model = dict(type='PooledFeatures', stages=(1, 2, 3), pool_size=2)
data_preprocessor = dict(
    type='BrainDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375])
readout = dict(alphas=[10.0**k for k in range(-1, 7)], num_folds=None)
# seeds the weights of a randomly initialised backbone: one baseline per seed
randomness = dict(seed=0)
