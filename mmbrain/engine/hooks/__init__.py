from .backbone_export_hook import BackboneExportHook, backbone_checkpoint

__all__ = ['BackboneExportHook', 'backbone_checkpoint']
