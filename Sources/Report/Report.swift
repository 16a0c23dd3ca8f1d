// Presentation (CSV, SVG, HTML) sits on persistence (atomic files, JSON); a study that writes
// artifacts needs both, so importing Report brings Persistence along.
@_exported import Persistence
