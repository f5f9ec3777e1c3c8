build-clang/src/cmd/script.o: src/cmd/script.c src/cmd/cmds.h \
  src/cmd/input.h src/profile/model.h src/util/hashmap.h src/util/vec.h \
  src/util/die.h src/render/script.h

src/cmd/cmds.h:

src/cmd/input.h:

src/profile/model.h:

src/util/hashmap.h:

src/util/vec.h:

src/util/die.h:

src/render/script.h:
