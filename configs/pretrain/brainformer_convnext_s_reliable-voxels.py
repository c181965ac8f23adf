# Brainformer pretraining on the reliable voxels only: those whose noise
# ceiling SNR (NSD's ncsnr, stored by prepare_nsd.py when ncsnr.nii.gz is
# beside the betas) reaches 0.2, a noise ceiling of about 11% of the
# variance for an image seen 3 times. The kept and dropped counts per
# subject and ROI are logged. brainformer_convnext_s.py differs only here.
_base_ = './brainformer_convnext_s.py'
pipeline = [
    dict(type='LoadNSDImage'),
    dict(type='LoadBrainResponses', min_ncsnr=0.2),
    dict(type='Resize', scale=(224, 224)),
    dict(type='PackBrainInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=pipeline))
val_dataloader = dict(dataset=dict(pipeline=pipeline))
test_dataloader = val_dataloader
