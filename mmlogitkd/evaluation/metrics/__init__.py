from .calibration_metric import CalibrationMetric

__all__ = ['CalibrationMetric']
