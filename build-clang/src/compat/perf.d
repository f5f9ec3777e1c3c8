build-clang/src/compat/perf.o: src/compat/perf.c src/cmd/cmds.h \
  src/compat/compat.h src/util/die.h

src/cmd/cmds.h:

src/compat/compat.h:

src/util/die.h:
