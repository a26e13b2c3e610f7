"""Pictures: PNGs drawn with matplotlib's object API in a worker process, for every front end.

`palette` gives each state a colour, a marker shape and a label (colour is never the only cue),
`png` the `Picture` value and the PNG helpers, `render` the `PictureRenderer` the `Services`
own (one worker process, started lazily, and a small cache). Each picture's data is laid out in
`tutorbot.domain` as plain frozen data; a module here draws it.
"""
