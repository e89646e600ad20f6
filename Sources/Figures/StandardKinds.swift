/// The figure kinds Prensa ships, in the order `prensa sim --help` lists them.
let standardKinds: [any FigureKind] = [
    SchedulerFigure(), PageWalkFigure(), ReplacementFigure(), PacketPathFigure(),
]
