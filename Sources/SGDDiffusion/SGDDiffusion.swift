@_exported import Numerics
@_exported import Randomness
@_exported import Problems
@_exported import Dynamics
@_exported import FiniteSums
@_exported import Ensembles
@_exported import Escape
@_exported import NeuralNets
@_exported import Experiments
@_exported import Persistence
@_exported import Report

@_exported import Datasets
