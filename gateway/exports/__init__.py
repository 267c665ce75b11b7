"""XLSX exports of the figures a committee reports every year (GET `/exports/{year}/{name}.xlsx`): the handling
figures per unit and per category, the overdue list, the ranked scorecards and the public-opinion reports'
adoption. Each sheet is built from the read functions the GraphQL resolvers call (`gateway.read.oversight`,
`gateway.read.scorecards`, `gateway.read.lists`) and, where the resolver shapes a figure, from the resolver's own
converter (`gateway.schema.oversight.figures`), so a cell and the GraphQL figure cannot disagree.

One workbook per figure, not one workbook of every figure: each goes to a different reader (the handling figures
to the government office, the scorecards to the member committee), each reads only what it needs, and each is
behind the policy row of the GraphQL query it mirrors."""
