from .backbone_export_hook import BackboneExportHook, backbone_checkpoint
from .mixco_schedule_hook import MixCoScheduleHook

__all__ = ['BackboneExportHook', 'MixCoScheduleHook', 'backbone_checkpoint']
