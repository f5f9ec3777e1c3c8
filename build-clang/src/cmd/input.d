build-clang/src/cmd/input.o: src/cmd/input.c src/cmd/input.h \
  src/cmd/cmds.h src/profile/format.h src/profile/model.h \
  src/util/hashmap.h src/util/vec.h src/util/die.h

src/cmd/input.h:

src/cmd/cmds.h:

src/profile/format.h:

src/profile/model.h:

src/util/hashmap.h:

src/util/vec.h:

src/util/die.h:
