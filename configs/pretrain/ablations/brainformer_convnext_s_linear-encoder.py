# Table 3 "Linear": one linear layer per ROI instead of the Brainformer
# encoder. num_voxels bounds each ROI group's voxel count over the subjects
# (responses are zero-padded to it); raise it if a subject has more
# (prepare_nsd.py prints the counts).
_base_ = '../brainformer_convnext_s.py'
model = dict(
    brain_encoder=dict(
        _delete_=True,
        type='LinearBrainEncoder',
        num_voxels=[10000, 4000, 5000, 6000, 4000, 40000],
        embed_dims={{_base_.embed_dims}}))
