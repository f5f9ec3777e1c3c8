build-clang/src/cmd/shims.o: src/cmd/shims.c src/cmd/cmds.h \
  src/compat/compat.h src/util/die.h

src/cmd/cmds.h:

src/compat/compat.h:

src/util/die.h:
