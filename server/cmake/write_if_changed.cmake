# mc_write_if_changed(PATH CONTENT): write a generated file only when its
# content changed, so an unchanged input does not trigger a rebuild.
# Included by the embed_*.cmake scripts.
function(mc_write_if_changed path content)
  if(EXISTS ${path})
    file(READ ${path} old)
    if(old STREQUAL content)
      return()
    endif()
  endif()
  file(WRITE ${path} "${content}")
endfunction()
