@_exported import Numerics
@_exported import Randomness
@_exported import Problems
@_exported import Dynamics
@_exported import Ensembles
@_exported import Escape
@_exported import Experiments
@_exported import Report
