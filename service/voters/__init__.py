"""The published voter list: which dataset version answers, a voter as every answer shows them,
and the regions a dataset covers."""
