"""When to call for help: normalisation, lexicons (data files), the crisis detector and its policy."""

from escalation.detector import Assessment, Detector, Evidence, severity_rank
from escalation.policy import should_escalate
from escalation.resources import load_resources

__all__ = ["Assessment", "Detector", "Evidence", "load_resources", "severity_rank", "should_escalate"]
