build-clang/src/sonde.o: src/sonde.c src/sonde.h src/cmd/cmds.h \
  src/compat/compat.h src/util/die.h src/util/suggest.h

src/sonde.h:

src/cmd/cmds.h:

src/compat/compat.h:

src/util/die.h:

src/util/suggest.h:
