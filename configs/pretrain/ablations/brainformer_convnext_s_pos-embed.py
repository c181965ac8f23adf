# Table 3 "pos embed": a learned position embedding of the token index
# instead of the 3D voxel embedding.
_base_ = '../brainformer_convnext_s.py'
model = dict(brain_encoder=dict(embed_type='pos'))
