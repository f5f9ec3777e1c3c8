build-clang/src/cmd/report.o: src/cmd/report.c src/cmd/cmds.h \
  src/cmd/input.h src/profile/model.h src/util/hashmap.h src/util/vec.h \
  src/util/die.h src/render/report.h

src/cmd/cmds.h:

src/cmd/input.h:

src/profile/model.h:

src/util/hashmap.h:

src/util/vec.h:

src/util/die.h:

src/render/report.h:
