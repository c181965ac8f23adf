from .last_stage_neck import LastStageNeck

__all__ = ['LastStageNeck']
