"""Evaluation: calibration measures and the metrics that report them."""
from .calibration import (PROBABILITY_FLOOR, ReliabilityBins,
                          confidence_and_correctness,
                          expected_calibration_error, negative_log_likelihood,
                          per_sample_nll, reliability_bins)
from .metrics import CalibrationMetric

__all__ = [
    'CalibrationMetric', 'PROBABILITY_FLOOR', 'ReliabilityBins',
    'confidence_and_correctness', 'expected_calibration_error',
    'negative_log_likelihood', 'per_sample_nll', 'reliability_bins'
]
